"""The admin site: Django's, reading the request values it trusts strictly.

Django's admin looks up ``_to_field`` as a field name even when it is empty (``get_field("")``
fails with a 500 in the change and delete views); filters an action's queryset by the
``_selected_action`` ids unparsed (``pk__in=["²"]`` fails with a 500 when the action runs);
builds a date from the date hierarchy's ``<field>__year`` unbounded (a 20-digit year overflows
with a 500); passes a choice filter's value to the query unchecked (a PostgreSQL enum refuses
it with a 500); and signals a bad filter with ``IncorrectLookupParameters``, which only its own
changelist view catches (a view of ours that lists the same rows, such as a CSV export, would
fail with a 500). Every admin view passes through ``AdminSite.admin_view``, so this is where
they are read, once, for every model admin (ours, auth's, axes', procrastinate's) and for the
views added to it later: a bad value is a 400 with a message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import TO_FIELD_VAR, IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse

from accounts.forms import AdminLoginForm
from quiz.http import BadValue, parse_int


class AdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def admin_view(self, view, cacheable: bool = False):
        return super().admin_view(_reading_admin_values_strictly(view), cacheable)


def _reading_admin_values_strictly(view: Callable[..., HttpResponse]):
    model_admin = getattr(view, "__self__", None)
    if not isinstance(model_admin, admin.ModelAdmin):
        model_admin = None
    pk = model_admin.model._meta.pk if model_admin else None
    date_field = model_admin.date_hierarchy if model_admin else None

    @functools.wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Read as the admin reads it: the form's value, else the query's.
        if request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR)) == "":
            raise BadValue(f"{TO_FIELD_VAR} must name a field.")
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            _read_pk(pk, value)
        if model_admin:
            _read_choice_filters(model_admin.model, request.GET)
        if date_field:
            for part, maximum in DATE_PARTS.items():
                name = f"{date_field}__{part}"
                for value in request.GET.getlist(name):
                    parse_int(value, name=name, minimum=1, maximum=maximum)
        try:
            return view(request, *args, **kwargs)
        except IncorrectLookupParameters as bad:
            raise BadValue("The list's filters could not be read.") from bad

    return checked


# The date hierarchy's parts, within what a date can hold (a day that does not exist in its
# month is Django's to refuse).
DATE_PARTS = {"year": 9999, "month": 12, "day": 31}


def _read_choice_filters(model: type[models.Model], query) -> None:
    """A list filter on a field with choices (``status__exact=draft``) names one of them.

    The admin passes the value to the query as it came: on a text column a wrong one matches
    nothing, but on a PostgreSQL enum (procrastinate's job status) the cast fails with a 500.
    """
    for key, values in query.lists():
        try:
            field = model._meta.get_field(key.removesuffix("__exact"))
        except FieldDoesNotExist:
            continue
        if not isinstance(field, models.Field) or not field.choices or field.is_relation:
            continue
        allowed = {str(value) for value, _ in field.flatchoices}
        if any(value not in allowed for value in values):
            raise BadValue(f"{key} must be one of: {', '.join(sorted(allowed))}.")


def _read_pk(pk: models.Field | None, value: str) -> None:
    """A selected row's primary key, read as the model's key field reads it."""
    if pk is None or isinstance(pk, models.IntegerField):
        parse_int(value, name=ACTION_CHECKBOX_NAME)
        return
    try:
        pk.to_python(value)
    except ValidationError as invalid:
        raise BadValue(f"{ACTION_CHECKBOX_NAME} is not a valid key.") from invalid
