from __future__ import annotations

from django import forms

from quiz.bank.rules import MAX_OPTIONS
from quiz.exam.forms import SequenceAnswerMixin
from quiz.http import StrictIntegerField
from quiz.models import Objective


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
    custom_length = StrictIntegerField(
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
            # A number that did not read already has its own error beside the field.
            if not length and "custom_length" not in self.errors:
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


class PracticeAnswerForm(SequenceAnswerMixin):
    selected = forms.TypedMultipleChoiceField(
        coerce=int, required=False, choices=[(i, i) for i in range(MAX_OPTIONS)]
    )
    struck = forms.TypedMultipleChoiceField(
        coerce=int, required=False, choices=[(i, i) for i in range(MAX_OPTIONS)]
    )


def objectives_of(blueprint):
    return Objective.objects.filter(domain__blueprint=blueprint).select_related("domain")
