"""Reading what a request names: the one way views turn URL and form values into objects."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from quiz.models import Blueprint


def blueprint_or_404(code: str | None) -> Blueprint:
    """The blueprint a page names by code, or the default exam when it names none."""
    blueprints = Blueprint.objects.prefetch_related("domains")
    if code:
        return get_object_or_404(blueprints, code=code)
    blueprint = blueprints.default()
    if blueprint is None:
        raise Http404("No exam is configured.")
    return blueprint
