"""Readiness read from the database: the candidate's answers and the blueprint's facts, handed
to the pure model (``quiz.readiness.model``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quiz.exam.scoring import Scale
from quiz.models import Attempt, Blueprint, Objective
from quiz.practice.mastery import PastAnswer
from quiz.practice.services import answer_history
from quiz.readiness import model

HISTORY_POINTS = 8


def form_spec(blueprint: Blueprint, objectives: list[Objective] | None = None) -> model.FormSpec:
    """A fresh form of the blueprint: its scored items (all but the pretest cap), the domains'
    weights and objectives, and the blueprint's scale and cut."""
    if objectives is None:
        objectives = list(
            Objective.objects.filter(domain__blueprint=blueprint).select_related("domain")
        )
    by_domain: dict[int, list[int]] = {}
    weights: dict[int, int] = {}
    for objective in sorted(objectives, key=lambda o: (o.domain.number, o.pk)):
        by_domain.setdefault(objective.domain.number, []).append(objective.pk)
        weights[objective.domain.number] = objective.domain.weight
    return model.FormSpec(
        scored=blueprint.question_count - blueprint.max_unscored_items,
        scale=Scale(
            score_min=blueprint.score_min,
            pass_score=blueprint.pass_score,
            score_max=blueprint.score_max,
            cut_fraction=blueprint.cut_fraction,
        ),
        objectives={number: tuple(ids) for number, ids in by_domain.items()},
        weights=weights,
    )


@dataclass(frozen=True)
class ReadinessReport:
    blueprint: Blueprint
    readiness: model.Readiness | None
    shortfall: model.Shortfall | None
    fresh: model.FreshScore
    objectives: list[tuple[Objective, model.ObjectiveEstimate]]
    recommendation: model.Recommendation | None
    recommended: Objective | None
    history: list[tuple[datetime, model.Readiness | None]]
    domain_titles: dict[int, str]


def readiness_report(
    *, user, blueprint: Blueprint, now: datetime, answers: list[PastAnswer] | None = None
) -> ReadinessReport:
    objectives = list(
        Objective.objects.filter(domain__blueprint=blueprint).select_related("domain")
    )
    spec = form_spec(blueprint, objectives)
    if answers is None:
        answers = answer_history(user=user, blueprint=blueprint)
    evidence = model.weigh(answers)
    short = model.shortfall(evidence, spec)
    by_id = {o.pk: o for o in objectives}
    readiness = recommendation = None
    history: list = []
    if short is None:
        readiness = model.predict(evidence, spec)
        recommendation = model.recommend(evidence, spec)
        # The history's points are the full exams' ends (a mini or single-domain mock's
        # answers count as evidence, at every point after them, but do not make a point).
        finished = list(
            Attempt.objects.filter(user=user, blueprint=blueprint)
            .finished()
            .full_exams()
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)[: HISTORY_POINTS - 1]
        )
        instants = [*sorted(finished), now]
        history = [*model.history_points(answers, spec, instants[:-1]), (now, readiness)]
    estimates = readiness.objectives if readiness else model.objective_estimates(evidence, spec)
    return ReadinessReport(
        blueprint=blueprint,
        readiness=readiness,
        shortfall=short,
        fresh=model.fresh_score(evidence, spec),
        objectives=[(by_id[e.objective_id], e) for e in estimates],
        recommendation=recommendation,
        recommended=by_id.get(recommendation.objective_id) if recommendation else None,
        history=history,
        domain_titles={o.domain.number: o.domain.title for o in objectives},
    )
