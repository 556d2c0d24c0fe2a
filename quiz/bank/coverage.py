"""How much of a blueprint the bank covers: published questions against what one form needs."""

from __future__ import annotations

from django.db.models import Count, Q

from quiz.bank.blueprint import forms_available, largest_remainder
from quiz.models import Blueprint, Objective, Question


def bank_coverage() -> list[dict]:
    """Published questions per objective and domain against what one form needs."""
    result = []
    blueprints = Blueprint.objects.prefetch_related("domains__objectives")
    published = dict(
        Objective.objects.annotate(
            published=Count("questions", filter=Q(questions__status=Question.Status.PUBLISHED))
        ).values_list("pk", "published")
    )
    for blueprint in blueprints:
        domains = list(blueprint.domains.all())
        needed = largest_remainder(blueprint.question_count, {d.number: d.weight for d in domains})
        rows = []
        for domain in domains:
            objectives = [
                {"objective": o, "published": published.get(o.pk, 0)}
                for o in domain.objectives.all()
            ]
            count = sum(o["published"] for o in objectives)
            rows.append(
                {
                    "domain": domain,
                    "needed": needed[domain.number],
                    "published": count,
                    "forms": count // needed[domain.number] if needed[domain.number] else 0,
                    "objectives": objectives,
                }
            )
        result.append(
            {
                "blueprint": blueprint,
                "domains": rows,
                "published": sum(row["published"] for row in rows),
                "forms": forms_available(
                    {row["domain"].number: row["published"] for row in rows}, needed
                ),
            }
        )
    return result
