from __future__ import annotations

from django import forms

from quiz.bank.rules import MAX_OPTIONS
from quiz.exam.services import Answer
from quiz.http import BadValue, StrictIntegerField, parse_int
from quiz.models import Attempt, Blueprint, Domain, ItemState


class AnswerForm(forms.Form):
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
