"""Readiness on the dashboard: the context its includes read, the one-click review session and
the exam date. Thin views over ``services`` and ``review``."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from quiz.dashboard.charts import line_chart
from quiz.http import blueprint_or_404
from quiz.models import Blueprint
from quiz.practice.services import NothingToPractise, answer_history
from quiz.readiness import review
from quiz.readiness.services import readiness_report


class ExamDateForm(forms.Form):
    date = forms.DateField(
        required=False,
        label="Exam date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Reviews are never scheduled past it.",
    )


def readiness_context(user, blueprint: Blueprint, now: datetime | None = None) -> dict:
    """What the dashboard's readiness, next-step and review includes need, for one exam."""
    now = now or timezone.now()
    answers = answer_history(user=user, blueprint=blueprint)
    report = readiness_report(user=user, blueprint=blueprint, now=now, answers=answers)
    exam_date = review.exam_date_of(user=user, blueprint=blueprint)
    chart = None
    points = [(at, r) for at, r in report.history if r is not None]
    if len(points) >= 2:
        chart = line_chart(
            x_labels=[at.strftime("%-d %b") for at, _ in points],
            series=[("Pass probability", [r.pass_percent for _, r in points])],
            low=0,
            high=100,
            ticks=[0, 25, 50, 75, 100],
            threshold=50,
            threshold_label="50%",
            value_format="{:.0f}%",
        )
    return {
        "readiness": report,
        "readiness_chart": chart,
        "readiness_points": points,
        "reviews_due": review.due_count(user=user, blueprint=blueprint, now=now, answers=answers),
        "exam_date": exam_date,
        "days_to_exam": (exam_date - now.date()).days if exam_date else None,
        "exam_date_form": ExamDateForm(initial={"date": exam_date}),
    }


@login_required
@require_POST
def review_start(request: HttpRequest) -> HttpResponse:
    """Start a practice session of the reviews due today (instant feedback, FSRS ratings)."""
    blueprint = blueprint_or_404(request.POST.get("blueprint"))
    try:
        session = review.start_review(user=request.user, blueprint=blueprint, now=timezone.now())
    except NothingToPractise:
        messages.info(request, "No reviews are due today.")
        return redirect(dashboard_url(blueprint))
    return redirect("quiz:practice_question", session_id=session.pk, position=1)


@login_required
@require_POST
def exam_date(request: HttpRequest) -> HttpResponse:
    blueprint = blueprint_or_404(request.POST.get("blueprint"))
    form = ExamDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That date could not be read.")
        return redirect(dashboard_url(blueprint))
    chosen: date | None = form.cleaned_data["date"]
    review.set_exam_date(
        user=request.user, blueprint=blueprint, exam_date=chosen, now=timezone.now()
    )
    messages.success(
        request, f"Exam date set: {chosen:%-d %B %Y}." if chosen else "Exam date cleared."
    )
    return redirect(dashboard_url(blueprint))


def dashboard_url(blueprint: Blueprint) -> str:
    """The dashboard of one exam (the dates and reviews set there belong to it)."""
    return f"{reverse('home')}?{urlencode({'blueprint': blueprint.code})}"
