"""Reading what a request names, and answering it: the conventions every view follows.

Status codes for a page or fragment that shows the candidate why nothing happened (htmx swaps
these two like a 200, see the ``htmx-config`` in ``base.html``; a plain form post shows the same
page): ``INVALID`` (422) when the input breaks a rule (no option chosen, too many, an unknown
option) and ``CONFLICT`` (409) when the state changed under it (another tab, a bank too small,
nothing to practise). A request the server cannot even read (a missing field, a value of the
wrong type) is a plain 400.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import Http404
from django.shortcuts import get_object_or_404

from quiz.models import Blueprint

INVALID = HTTPStatus.UNPROCESSABLE_ENTITY
CONFLICT = HTTPStatus.CONFLICT


def blueprint_or_404(code: str | None) -> Blueprint:
    """The blueprint a page names by code, or the default exam when it names none."""
    blueprints = Blueprint.objects.prefetch_related("domains")
    if code:
        return get_object_or_404(blueprints, code=code)
    blueprint = blueprints.default()
    if blueprint is None:
        raise Http404("No exam is configured.")
    return blueprint
