from __future__ import annotations

from django import forms

from quiz.models import QuestionReport


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=QuestionReport.Reason.choices, label="What is wrong?")
    text = forms.CharField(
        required=False,
        max_length=2000,
        label="Details (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
