"""A blueprint: the exam's facts as data, and the arithmetic and rules that follow from them.

One home for what a blueprint knows. The MLS-C01 blueprint (../shared/exam-facts.md) is data,
installed by a data migration (and re-installed by the test suite after a transactional test has
flushed the database); its functions take an app registry (``apps``) so the migration can pass
its historical models. Another certification's blueprint is added the same way: a Blueprint row
with its Domain and Objective rows; no code changes.

The arithmetic (how many items each domain gets on a form) is pure: the assembler uses it to
build a form and the admin's coverage view to tell how many forms the bank can fill, so both
agree by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from math import floor

from django.apps.registry import Apps
from django.core.exceptions import ValidationError


def largest_remainder(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Split ``total`` items across keys in proportion to ``weights`` (Hamilton's method).

    Each key gets the whole part of its share; the items left over go to the largest
    fractional parts (ties broken by the smaller key, so the result is deterministic).
    The counts always sum to ``total``. 65 items at 20/24/36/20 give 13/16/23/13.
    """
    weight_sum = sum(weights.values())
    if total < 0 or weight_sum <= 0:
        raise ValueError("total must be >= 0 and the weights must sum to more than 0")
    shares = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: floor(share) for key, share in shares.items()}
    left = total - sum(counts.values())
    by_remainder = sorted(shares, key=lambda key: (-(shares[key] - counts[key]), key))
    for key in by_remainder[:left]:
        counts[key] += 1
    return counts


def forms_available(available: Mapping[int, int], needed: Mapping[int, int]) -> int:
    """How many forms with no shared item the per-domain ``available`` counts can fill."""
    return min(
        (available.get(key, 0) // need for key, need in needed.items() if need > 0),
        default=0,
    )


def spread_evenly(total: int, capacities: Mapping[int, int]) -> dict[int, int]:
    """Spread ``total`` items over keys as evenly as their ``capacities`` allow.

    One item at a time to the key with the fewest so far that still has room (ties to the key
    listed first, so callers shuffle the keys to shuffle who gets the extra one). Keys with room
    left end within one of each other. Raises ``ValueError`` if the capacities are too small.
    """
    if sum(capacities.values()) < total:
        raise ValueError("not enough capacity")
    counts = dict.fromkeys(capacities, 0)
    order = {key: index for index, key in enumerate(capacities)}
    for _ in range(total):
        key = min(
            (k for k in capacities if counts[k] < capacities[k]),
            key=lambda k: (counts[k], order[k]),
        )
        counts[key] += 1
    return counts


def weights_problems(code: str, weights: list[int]) -> list[ValidationError]:
    """A blueprint's domain weights are shares of the scored items: they add up to 100%."""
    total = sum(weights)
    if total == 100:
        return []
    return [
        ValidationError(
            "The domain weights of %(code)s add up to %(total)s%%, not 100%%.",
            code="weights_do_not_sum_to_100",
            params={"code": code, "total": total},
        )
    ]


# ------------------------------------------------------------------------------ MLS-C01 as data

# The exam a candidate gets when none is named (pages, commands, the shipped bank).
DEFAULT_BLUEPRINT_CODE = "MLS-C01"

DOMAINS = [
    (
        1,
        "Data Engineering",
        20,
        [
            ("1.1", "Create data repositories for machine learning."),
            ("1.2", "Identify and implement a data-ingestion solution."),
            ("1.3", "Identify and implement a data-transformation solution."),
        ],
    ),
    (
        2,
        "Exploratory Data Analysis",
        24,
        [
            ("2.1", "Sanitize and prepare data for modeling."),
            ("2.2", "Perform feature engineering."),
            ("2.3", "Analyze and visualize data for machine learning."),
        ],
    ),
    (
        3,
        "Modeling",
        36,
        [
            ("3.1", "Frame business problems as machine learning problems."),
            ("3.2", "Select the appropriate model(s) for a given machine learning problem."),
            ("3.3", "Train machine learning models."),
            ("3.4", "Perform hyperparameter optimization."),
            ("3.5", "Evaluate machine learning models."),
        ],
    ),
    (
        4,
        "Machine Learning Implementation and Operations",
        20,
        [
            (
                "4.1",
                "Build machine learning solutions for performance, availability, scalability, "
                "resiliency, and fault tolerance.",
            ),
            (
                "4.2",
                "Recommend and implement the appropriate machine learning services and features "
                "for a given problem.",
            ),
            ("4.3", "Apply basic AWS security practices to machine learning solutions."),
            ("4.4", "Deploy and operationalize machine learning solutions."),
        ],
    ),
]


def install_mls_c01(apps: Apps) -> None:
    Blueprint = apps.get_model("quiz", "Blueprint")
    Domain = apps.get_model("quiz", "Domain")
    Objective = apps.get_model("quiz", "Objective")
    blueprint, _ = Blueprint.objects.update_or_create(
        code=DEFAULT_BLUEPRINT_CODE,
        defaults={
            "name": "AWS Certified Machine Learning – Specialty",
            "question_count": 65,
            "duration_minutes": 190,
            "accommodation_minutes": 30,
            "score_min": 100,
            "score_max": 1000,
            "pass_score": 750,
            "cut_fraction": Decimal("0.722"),
            "max_unscored_items": 15,
        },
    )
    for number, title, weight, objectives in DOMAINS:
        domain, _ = Domain.objects.update_or_create(
            blueprint=blueprint, number=number, defaults={"title": title, "weight": weight}
        )
        for code, objective_title in objectives:
            Objective.objects.update_or_create(
                domain=domain, code=code, defaults={"title": objective_title}
            )


def install_authors_group(apps: Apps) -> None:
    """Question authors add and change questions; they cannot manage users."""
    from django.contrib.auth.management import create_permissions

    # create_permissions skips an app whose models_module is unset, as it is in a migration's
    # historical registry: mark each one as having models for the call.
    for app_config in apps.get_app_configs():
        app_config.models_module = True  # type: ignore[assignment]
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Question authors")
    codenames = [
        f"{action}_{model}"
        for model in ("question", "choice")
        for action in ("add", "change", "view")
    ] + [
        "view_blueprint",
        "view_domain",
        "view_objective",
        "view_questionversion",
        # Item analysis, the pipeline's history, report triage and regrades (issue 16).
        "view_itemstatistics",
        "view_questionstatuschange",
        "view_questionreport",
        "change_questionreport",
        "view_regrade",
        "add_regrade",
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="quiz", codename__in=codenames)
    )
