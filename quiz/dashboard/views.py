"""The candidate's home: the product page for visitors, the dashboard once logged in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE
from quiz.dashboard.charts import line_chart
from quiz.http import candidate_blueprint
from quiz.models import Attempt, Blueprint, Objective, PracticeSession, RegradeNotice
from quiz.practice.services import objective_mastery
from quiz.readiness.views import readiness_context

RECENT_ATTEMPTS = 10


@never_cache
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The product page for visitors; the candidate's dashboard once logged in."""
    if not request.user.is_authenticated:
        return TemplateResponse(request, "quiz/home.html", {"blueprints": Blueprint.objects.all()})
    blueprint = candidate_blueprint(request.GET.get("blueprint"), request.user)
    return TemplateResponse(
        request, "quiz/dashboard.html", dashboard_context(request.user, blueprint)
    )


def dashboard_context(user, blueprint: Blueprint) -> dict:
    """One exam's dashboard: its scores, charts, mastery, readiness and reviews. Mocks in
    progress are listed whatever their exam: a running clock is never hidden."""
    attempts = list(
        Attempt.objects.for_user(user).select_related("blueprint", "domain").order_by("-started_at")
    )
    finished = [a for a in attempts if a.is_finished and a.blueprint_id == blueprint.pk]
    # The score trends follow full exams only: a mini or single-domain mock's score is on the
    # same scale but far less precise (see Attempt.Format); those are listed, not charted.
    full = [a for a in finished if a.is_full_exam]
    recent = list(reversed(full[:RECENT_ATTEMPTS]))
    labels = [f"#{n}" for n in range(len(full) - len(recent) + 1, len(full) + 1)]
    score_chart = domain_chart = None
    domain_rows: list[dict] = []
    if recent:
        score_chart = line_chart(
            x_labels=labels,
            series=[("Scaled score", [a.scaled_score for a in recent])],
            low=blueprint.score_min,
            high=blueprint.score_max,
            ticks=[blueprint.score_min, 400, blueprint.pass_score, blueprint.score_max],
            threshold=blueprint.pass_score,
            threshold_label=f"Pass {blueprint.pass_score}",
        )
        titles: dict[int, str] = {}
        percents: dict[int, list] = {}
        for index, attempt in enumerate(recent):
            for row in attempt.results.get("domains", []):
                titles[row["key"]] = row["title"]
                percents.setdefault(row["key"], [None] * len(recent))[index] = row["percent"]
        domain_chart = line_chart(
            x_labels=labels,
            series=[(f"Domain {k}", percents[k]) for k in sorted(percents)],
            low=0,
            high=100,
            ticks=[0, 25, 50, 75, 100],
            threshold=float(recent[-1].cut_fraction) * 100,
            threshold_label="Cut",
            value_format="{:.0f}%",
        )
        domain_rows = [
            {"number": k, "title": titles[k], "percents": percents[k]} for k in sorted(percents)
        ]
    return {
        "blueprint": blueprint,
        # Whether this is the exam the candidate prepares for (their choice, else the default),
        # or one a link named.
        "preparing": blueprint.pk == user.exam_id
        if user.exam_id
        else blueprint.code == DEFAULT_BLUEPRINT_CODE,
        "notices": RegradeNotice.objects.unseen_by(user).select_related(
            "attempt__blueprint", "regrade"
        ),
        "mastery": objective_mastery(user=user, blueprint=blueprint),
        "in_progress": (in_progress := [a for a in attempts if a.is_open]),
        "mock_running": any(a.blueprint_id == blueprint.pk for a in in_progress),
        "finished": finished,
        "short_finished": len(finished) - len(full),
        "recent_labels": labels,
        "score_chart": score_chart,
        "domain_chart": domain_chart,
        "domain_rows": domain_rows,
        "recent": recent,
        "weakest": weakest_objectives(finished),
        "blueprints": Blueprint.objects.all(),
        **readiness_context(user, blueprint),
    }


def weakest_objectives(finished: list[Attempt], limit: int = 5) -> list[dict]:
    """Objectives by share correct across finished mocks, weakest first (from stored results)."""
    totals: dict[str, dict] = {}
    for attempt in finished:
        for row in attempt.results.get("objectives", []):
            entry = totals.setdefault(
                row["key"], {"code": row["key"], "title": row["title"], "correct": 0, "scored": 0}
            )
            entry["correct"] += row["correct"]
            entry["scored"] += row["scored"]
    ids = dict(
        Objective.objects.filter(
            code__in=totals, domain__blueprint__in={a.blueprint_id for a in finished}
        ).values_list("code", "pk")
    )
    rows = [
        dict(e, percent=round(100 * e["correct"] / e["scored"]), objective_id=ids.get(e["code"]))
        for e in totals.values()
    ]
    rows.sort(key=lambda e: (e["correct"] / e["scored"], -e["scored"], e["code"]))
    return rows[:limit]


@login_required
@never_cache
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    """Every mock and practice session of the candidate for one exam, newest first, with links
    to each result and its answers."""
    blueprint = candidate_blueprint(request.GET.get("blueprint"), request.user)
    attempts = (
        Attempt.objects.for_user(request.user)
        .filter(blueprint=blueprint)
        .select_related("blueprint", "domain")
    )
    sessions = (
        PracticeSession.objects.for_user(request.user)
        .filter(blueprint=blueprint)
        .annotate(
            item_count=Count("items"),
            answered=Count("items", filter=Q(items__answered_at__isnull=False)),
            correct=Count("items", filter=Q(items__is_correct=True)),
        )
    )
    rows = [{"kind": "mock", "at": a.started_at, "attempt": a} for a in attempts]
    rows += [{"kind": "practice", "at": s.created_at, "session": s} for s in sessions]
    rows.sort(key=lambda row: row["at"], reverse=True)
    others = Blueprint.objects.exclude(pk=blueprint.pk)
    context = {"rows": rows, "blueprint": blueprint, "other_blueprints": others}
    return TemplateResponse(request, "quiz/history.html", context)
