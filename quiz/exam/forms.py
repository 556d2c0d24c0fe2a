from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from quiz.bank.rules import MAX_OPTIONS, MAX_RESPONSES
from quiz.exam.responses import slots_from_places
from quiz.exam.services import Answer
from quiz.http import BadValue, StrictIntegerField, parse_int
from quiz.models import Attempt, Blueprint, Domain, ItemState

# An ordering screen posts ``step-<n>`` (the place of the n-th step shown, or empty), a matching
# screen ``prompt-<n>`` (the response chosen for the n-th prompt shown, or empty); n counts from
# 0 without gaps, and a screen posts every one of its steps or prompts.
SEQUENCE_FIELD = re.compile(r"(step|prompt)-([0-9]{1,2})")


class SequenceAnswerMixin(forms.Form):
    """Reads an ordering or matching answer from ``step-<n>`` or ``prompt-<n>`` fields into
    ``cleaned_data["selected"]`` (the screen's terms of ``quiz.exam.responses``), strictly: a
    field out of sequence, a value that is not a small number, both kinds at once, or either
    beside ``selected`` makes the form invalid, and nothing is saved."""

    def clean(self) -> dict:
        cleaned = super().clean()
        fields: dict[str, dict[int, str]] = {"step": {}, "prompt": {}}
        for name in self.data:
            match = SEQUENCE_FIELD.fullmatch(name)
            if match:
                fields[match[1]][int(match[2])] = self.data[name]
        kinds = [kind for kind, values in fields.items() if values]
        if not kinds:
            return cleaned
        values = fields[kinds[0]]
        if len(kinds) > 1 or cleaned.get("selected") or sorted(values) != list(range(len(values))):
            raise ValidationError("That answer could not be read.", code="bad_answer")
        if len(values) > (MAX_OPTIONS if kinds[0] == "step" else MAX_RESPONSES):
            raise ValidationError("That answer could not be read.", code="bad_answer")
        try:
            read = [
                None if values[n] == "" else parse_int(values[n], name=kinds[0], maximum=99)
                for n in range(len(values))
            ]
        except BadValue as bad:
            raise ValidationError("That answer could not be read.", code="bad_answer") from bad
        cleaned["selected"] = tuple(slots_from_places(read) if kinds[0] == "step" else read)
        return cleaned

    def error_message(self) -> str:
        """The first error, for a screen that shows one line."""
        errors = self.non_field_errors()
        return (
            errors[0] if errors else "That answer could not be read. Choose from the options shown."
        )


class AnswerForm(SequenceAnswerMixin):
    """An item's answer as the taking screen posts it, in display positions.

    ``go`` says where to go next on a plain (no-JavaScript) post: ``prev``, ``next``,
    ``review``, or an item number.
    """

    selected = forms.TypedMultipleChoiceField(
        coerce=int, required=False, choices=[(i, i) for i in range(MAX_OPTIONS)]
    )
    struck = forms.TypedMultipleChoiceField(
        coerce=int, required=False, choices=[(i, i) for i in range(MAX_OPTIONS)]
    )
    flagged = forms.BooleanField(required=False)
    revision = StrictIntegerField(required=False, min_value=0, max_value=2**31 - 1)
    go = forms.CharField(required=False, max_length=10)
    # The review subset being stepped through ("Review flagged"): Next and Previous move within it.
    review = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review"].choices = [("", ""), *REVIEW_SUBSETS.items()]

    def clean_go(self) -> str:
        """A named destination, or an item number (ASCII digits: "²" is not a number)."""
        go = self.cleaned_data["go"]
        if go and go not in {"prev", "next", "review", "stay"}:
            try:
                parse_int(go, name="go", minimum=1, maximum=999)
            except BadValue as bad:
                raise forms.ValidationError("Unknown destination.", code="bad_destination") from bad
        return go

    def answer(self) -> Answer:
        data = self.cleaned_data
        return Answer(
            selected=tuple(data["selected"]),
            struck=tuple(data["struck"]),
            flagged=data["flagged"],
            revision=data["revision"],
        )


# The review screen's ways of stepping through the items, as on the real exam.
REVIEW_SUBSETS = {
    "all": "Review all",
    "incomplete": "Review incomplete",
    "flagged": "Review flagged",
}


def in_review_subset(subset: str, *, state: str, flagged: bool) -> bool:
    """Whether an item belongs to a review subset: "incomplete" is every item not fully
    answered (unanswered, or fewer options chosen than asked)."""
    if subset == "flagged":
        return flagged
    if subset == "incomplete":
        return state != ItemState.ANSWERED
    return True


REVIEW_FILTERS = {
    "all": "All items",
    "unanswered": "Unanswered",
    "incomplete": "Incomplete",
    "flagged": "Flagged",
}


class MockStartForm(forms.Form):
    """The format of a new mock: a full exam, a mini mock, or one domain (which one)."""

    # Left out, the format is the full exam (the start button of a page that offers no choice).
    format = forms.ChoiceField(
        choices=Attempt.Format.choices,
        initial=Attempt.Format.FULL,
        required=False,
        widget=forms.RadioSelect,
    )
    domain = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Domain")

    def __init__(self, *args, blueprint: Blueprint, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The blueprint's domains are prefetched by ``blueprint_or_404``.
        self.domains = {d.number: d for d in blueprint.domains.all()}
        self.fields["domain"].choices = [
            ("", "Choose a domain"),
            *((number, f"Domain {number}: {d.title}") for number, d in self.domains.items()),
        ]

    def clean_format(self) -> str:
        return self.cleaned_data["format"] or Attempt.Format.FULL

    def clean(self) -> dict:
        data = super().clean()
        if data.get("format") == Attempt.Format.DOMAIN:
            if data.get("domain") is None and "domain" not in self.errors:
                self.add_error(
                    "domain",
                    forms.ValidationError(
                        "Choose the domain to be examined on.", code="domain_required"
                    ),
                )
        else:
            # A domain sent with another format means nothing: it is not kept.
            data["domain"] = None
        return data

    def chosen_domain(self) -> Domain | None:
        number = self.cleaned_data["domain"]
        return None if number is None else self.domains[number]
