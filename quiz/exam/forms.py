from __future__ import annotations

from django import forms

from quiz.bank.rules import MAX_OPTIONS
from quiz.exam.services import Answer
from quiz.http import BadValue, StrictIntegerField, parse_int
from quiz.models import ItemState


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
