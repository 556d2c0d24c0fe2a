"""After the exam: the score report, the answer review, and the candidate's dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from quiz.dashboard.charts import gauge_position, pacing_chart
from quiz.exam.keys import paused_during_mock
from quiz.exam.scoring import MEETS
from quiz.http import CODE, optional_int
from quiz.models import Attempt, AttemptItem, Bookmark, Objective, QuestionReport

RECENT_ATTEMPTS = 10
ANSWER_FILTERS = {
    "all": "All",
    "incorrect": "Incorrect",
    "flagged": "Flagged",
    "unanswered": "Unanswered",
}


def _finished_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    """A finished attempt the user may read: their own, or anyone's with the permission
    ``quiz.read_candidate_results`` (staff status alone is not enough).

    Before submission the report does not exist: a 404, as for someone else's attempt.
    """
    attempts = Attempt.objects.finished().select_related("blueprint", "user", "domain")
    if not request.user.has_perm("quiz.read_candidate_results"):
        attempts = attempts.for_user(request.user)
    return get_object_or_404(attempts, pk=attempt_id)


@login_required
@never_cache
@require_GET
def attempt_result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _finished_attempt(request, attempt_id)
    blueprint = attempt.blueprint
    states = list(
        AttemptItem.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list("selected", "flagged", "seconds_on_screen")
    )
    count = len(states)
    used = (attempt.finished_at - attempt.started_at).total_seconds()
    results = attempt.results or {}
    context = {
        "attempt": attempt,
        "blueprint": blueprint,
        "domains": results.get("domains", []),
        "objectives": results.get("objectives", []),
        "cut_items": results.get("cut_items"),
        "gauge": gauge_position(attempt.scaled_score, blueprint.score_min, blueprint.score_max),
        "pass_mark": gauge_position(blueprint.pass_score, blueprint.score_min, blueprint.score_max),
        "count": count,
        "unanswered": sum(not selected for selected, _, _ in states),
        "flagged": sum(flagged for _, flagged, _ in states),
        "item_seconds": [seconds for _, _, seconds in states],
        "pacing": pacing_chart(
            [seconds for _, _, seconds in states],
            budget_seconds=attempt.duration_minutes * 60 / count if count else 0,
        ),
        "seconds_used": int(used),
        "seconds_per_item": int(used / count) if count else 0,
        "budget_per_item": int(attempt.duration_minutes * 60 / count) if count else 0,
        "meets": MEETS,
        "cut_percent": round(float(attempt.cut_fraction) * 100, 1),
        "regraded": list(
            AttemptItem.objects.filter(attempt=attempt, regrade__isnull=False)
            .select_related("regrade")
            .order_by("position")
        ),
    }
    return TemplateResponse(request, "quiz/attempt_result.html", context)


@login_required
@paused_during_mock
@never_cache
@require_GET
def attempt_answers(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _finished_attempt(request, attempt_id)
    show = request.GET.get("show", "all")
    if show not in ANSWER_FILTERS:
        show = "all"
    domain = optional_int(request.GET, "domain", maximum=99)
    objective = request.GET.get("objective", "")
    if objective and not CODE.fullmatch(objective):
        objective = ""
    items = (
        AttemptItem.objects.filter(attempt=attempt)
        .select_related("version__objective__domain", "version__case_version", "regrade")
        .order_by("position")
    )
    if show == "flagged":
        items = items.filter(flagged=True)
    elif show == "unanswered":
        items = items.filter(selected=[])
    if domain is not None:
        items = items.filter(version__objective__domain__number=domain)
    if objective:
        items = items.filter(version__objective__code=objective)
    bookmarked = set(
        Bookmark.objects.filter(user=request.user).values_list("question_id", flat=True)
    )
    reports = {
        r.version_id: r
        for r in QuestionReport.objects.for_user(request.user).filter(
            version__in=items.values("version_id")
        )
    }
    entries = []
    for item in items:
        version = item.version
        correct = bool(item.outcome_correct)
        if show == "incorrect" and correct:
            continue
        entries.append(
            {
                "item": item,
                "version": version,
                "correct": correct,
                "bookmarked": version.question_id in bookmarked,
                "report": reports.get(version.pk),
                **version.shown(
                    item.option_order,
                    selected=item.selected,
                    struck=item.struck,
                    reveal_key=True,
                    key=item.scored_key,
                ),
            }
        )
    context = {
        "attempt": attempt,
        "entries": entries,
        "filters": ANSWER_FILTERS,
        "show": show,
        "domain": "" if domain is None else str(domain),
        "objective": objective,
        "domains": attempt.blueprint.domains.all(),
        "objectives": Objective.objects.filter(domain__blueprint=attempt.blueprint).order_by(
            "code"
        ),
        "report_reasons": QuestionReport.Reason.choices,
    }
    return TemplateResponse(request, "quiz/attempt_answers.html", context)
