from __future__ import annotations

from django import forms

from quiz.models import Objective
from quiz.services import Answer

MAX_OPTIONS = 10


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
    revision = forms.IntegerField(required=False, min_value=0)
    go = forms.CharField(required=False, max_length=10)

    def clean_go(self) -> str:
        go = self.cleaned_data["go"]
        if go and go not in {"prev", "next", "review", "stay"} and not go.isdigit():
            raise forms.ValidationError("Unknown destination.", code="bad_destination")
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


class PracticeSetupForm(forms.Form):
    """What to drill: objectives (and whole domains), or a ready-made selection, and how many."""

    LENGTHS = [(10, "10 questions"), (20, "20 questions"), (0, "Another number")]

    kind = forms.ChoiceField(
        choices=[
            ("chosen", "chosen"),
            ("missed", "missed"),
            ("weak", "weak"),
            ("bookmarks", "bookmarks"),
        ],
        initial="chosen",
        widget=forms.HiddenInput,
    )
    domains = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Whole domains"
    )
    objectives = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Objectives"
    )
    length = forms.TypedChoiceField(
        coerce=int, choices=LENGTHS, initial=10, widget=forms.RadioSelect
    )
    custom_length = forms.IntegerField(
        required=False, min_value=1, max_value=65, label="Number of questions"
    )

    def __init__(self, *args, blueprint, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.blueprint = blueprint
        self.all_objectives = list(objectives_of(blueprint))
        domains = list(blueprint.domains.all())
        self.fields["domains"].choices = [
            (d.number, f"Domain {d.number}: {d.title}") for d in domains
        ]
        self.fields["objectives"].choices = [
            (o.pk, f"{o.code} {o.title}") for o in self.all_objectives
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        length = cleaned.get("length")
        if length == 0:
            length = cleaned.get("custom_length")
            if not length:
                self.add_error(
                    "custom_length",
                    forms.ValidationError(
                        "Enter how many questions (1 to 65).", code="length_required"
                    ),
                )
        cleaned["size"] = length
        if cleaned.get("kind") == "chosen":
            chosen = set(cleaned.get("objectives") or [])
            domains = set(cleaned.get("domains") or [])
            chosen |= {o.pk for o in self.all_objectives if o.domain.number in domains}
            if not chosen:
                raise forms.ValidationError(
                    "Choose at least one domain or objective.", code="nothing_chosen"
                )
            cleaned["objective_ids"] = sorted(chosen)
        return cleaned


class PracticeAnswerForm(forms.Form):
    selected = forms.TypedMultipleChoiceField(
        coerce=int, required=False, choices=[(i, i) for i in range(MAX_OPTIONS)]
    )


def objectives_of(blueprint):
    return Objective.objects.filter(domain__blueprint=blueprint).select_related("domain")
