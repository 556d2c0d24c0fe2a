"""Reading what a request names: the one strict way views turn URL, query and form values into
ids, numbers, codes and objects.

Every value a client sends is text it chose. Python's ``str.isdigit`` and ``int`` accept
characters a database never should ("²", "١٢", " 7\\n"), PostgreSQL refuses NUL in text, and a
64-bit column overflows on a 20-digit number. So a number here is 1 to 18 ASCII digits within
stated bounds, a code matches one ASCII pattern, and anything else is refused before it reaches
a query: ``BadValue`` (a 400 with a message) for a query or form value, a 404 for a URL path
(its converters use the same patterns). Nothing is ever half-read.

Status codes for a page or fragment that shows the candidate why nothing happened (htmx swaps
these two like a 200, see the ``htmx-config`` in ``base.html``; a plain form post shows the same
page): ``INVALID`` (422) when the input breaks a rule (no option chosen, too many, an unknown
option) and ``CONFLICT`` (409) when the state changed under it (another tab, a bank too small,
nothing to practise). A request the server cannot even read is a plain 400 (``BadValue``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus

from django import forms
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from quiz.models import Blueprint

INVALID = HTTPStatus.UNPROCESSABLE_ENTITY
CONFLICT = HTTPStatus.CONFLICT

# A database id (or any count): ASCII digits only, at most 18 so that it fits 64 bits.
DIGITS = re.compile(r"[0-9]{1,18}")
MAX_ID = 10**18 - 1
# A blueprint or objective code: "MLS-C01", "1.2". ASCII letters, digits and . _ -.
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
# C0 controls and DEL: never part of a path or a query; NUL is refused everywhere.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadValue(BadRequest):
    """A value a client sent that does not read as what the view asks for (a 400)."""


def parse_int(value: object, *, name: str, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """``value`` as an int when it is 1-18 ASCII digits within [minimum, maximum]."""
    if not isinstance(value, str) or not DIGITS.fullmatch(value):
        raise BadValue(f"{name} must be a whole number written with the digits 0-9.")
    number = int(value)
    if not minimum <= number <= maximum:
        raise BadValue(f"{name} must be between {minimum} and {maximum}.")
    return number


def optional_int(
    data: Mapping, name: str, *, minimum: int = 0, maximum: int = MAX_ID
) -> int | None:
    """The number a query string or form names under ``name``; None when absent or empty."""
    value = data.get(name, "")
    if value == "":
        return None
    return parse_int(value, name=name, minimum=minimum, maximum=maximum)


def parse_code(value: object, *, name: str) -> str:
    """``value`` when it is a well-formed code (ASCII letters, digits, ``.``, ``_``, ``-``)."""
    if not isinstance(value, str) or not CODE.fullmatch(value):
        raise BadValue(f"{name} is not a valid code.")
    return value


def next_url(request: HttpRequest, *, default: str) -> str:
    """Where a posted form asks to go back to (its ``next`` field): a path on this site, or
    ``default``.

    Only a path is taken ("/practice/?objective=3"), never a view name or another site: handed
    to ``redirect()``, a bare word such as "²" or "home" would be looked up as a view name (a
    500 when it names none, or a page the form never meant). A control character (a line break
    would end the ``Location`` header) is refused too.
    """
    target = request.POST.get("next", "")
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not has_control_characters(target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def has_control_characters(value: str) -> bool:
    return CONTROL.search(value) is not None


def blueprint_or_404(code: str | None) -> Blueprint:
    """The blueprint a page names by code, or the default exam when it names none.

    A malformed code is a ``BadValue``; a well-formed one that names nothing is a 404.
    """
    blueprints = Blueprint.objects.prefetch_related("domains")
    if code:
        return get_object_or_404(blueprints, code=parse_code(code, name="blueprint"))
    blueprint = blueprints.default()
    if blueprint is None:
        raise Http404("No exam is configured.")
    return blueprint


def candidate_blueprint(code: str | None, user) -> Blueprint:
    """The exam a candidate's page shows: the one the request names (strictly read, as by
    ``blueprint_or_404``), else the one chosen on the candidate's profile, else the default.

    Two queries either way (the blueprint and its domains), like ``blueprint_or_404``.
    """
    if code or not getattr(user, "exam_id", None):
        return blueprint_or_404(code)
    chosen = Blueprint.objects.prefetch_related("domains").filter(pk=user.exam_id).first()
    return chosen or blueprint_or_404(None)


class StrictIntegerField(forms.IntegerField):
    """A form's integer, read by ``parse_int`` (so "١٢" or "²" is an error, not 12 or a 500)."""

    def __init__(self, *, max_value: int = MAX_ID, **kwargs) -> None:
        super().__init__(max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_int(value, name=self.label or "number")
        except BadValue as bad:
            raise forms.ValidationError(str(bad), code="invalid") from bad


class IdConverter:
    """A database id in a URL path: the ``DIGITS`` pattern, so a longer number or any other
    character does not match, and the URL is a 404 like any missing id."""

    regex = DIGITS.pattern

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class CodeConverter:
    """A code in a URL path: the ``CODE`` pattern; anything else is a 404."""

    regex = CODE.pattern

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
