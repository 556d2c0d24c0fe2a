from __future__ import annotations

from django import forms

from quiz.bank.rules import MAX_OPTIONS
from quiz.exam.services import Answer
from quiz.http import BadValue, StrictIntegerField, parse_int


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


REVIEW_FILTERS = {
    "all": "All items",
    "unanswered": "Unanswered",
    "incomplete": "Incomplete",
    "flagged": "Flagged",
}
