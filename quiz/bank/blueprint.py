"""A blueprint: the exam's facts as data, and the arithmetic and rules that follow from them.

One home for what a blueprint knows. Each shipped exam (MLS-C01, MLA-C01) is one
``BlueprintData`` value below, installed by data migrations (and re-installed by the test suite
after a transactional test has flushed the database); the install functions take an app registry
(``apps``) so a migration can pass its historical models. Another certification is added the same
way: one more value in ``BLUEPRINTS`` and a data migration (or a Blueprint row with its Domain
and Objective rows made in the admin); no other code changes.

The arithmetic (how many items each domain gets on a form) is pure: the assembler uses it to
build a form and the admin's coverage view to tell how many forms the bank can fill, so both
agree by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from math import floor
from pathlib import Path

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


# ------------------------------------------------------------------------- the exams, as data


@dataclass(frozen=True)
class DomainData:
    number: int
    title: str
    weight: int  # share of the scored items, in percent
    objectives: tuple[tuple[str, str], ...]  # (code, title): the exam guide's task statements


@dataclass(frozen=True)
class BlueprintData:
    """One exam's facts as the exam guide states them: what ``install_blueprint`` writes.

    ``status_note`` and ``status_source`` are what candidates read about the exam's standing
    (retired, replaced); the admin edits them afterwards. ``bank`` is the shipped bank's folder
    under ``content/``.
    """

    code: str
    name: str
    question_count: int
    duration_minutes: int
    accommodation_minutes: int
    score_min: int
    score_max: int
    pass_score: int
    cut_fraction: Decimal
    max_unscored_items: int
    domains: tuple[DomainData, ...]
    bank: str
    status_note: str = ""
    status_source: str = ""

    def objective_codes(self) -> frozenset[str]:
        return frozenset(code for domain in self.domains for code, _ in domain.objectives)

    def model_fields(self) -> dict[str, object]:
        """The Blueprint row's fields (everything but the code, the domains and the bank)."""
        return {
            "name": self.name,
            "question_count": self.question_count,
            "duration_minutes": self.duration_minutes,
            "accommodation_minutes": self.accommodation_minutes,
            "score_min": self.score_min,
            "score_max": self.score_max,
            "pass_score": self.pass_score,
            "cut_fraction": self.cut_fraction,
            "max_unscored_items": self.max_unscored_items,
            "status_note": self.status_note,
            "status_source": self.status_source,
        }


def straight_line_cut(*, score_min: int, score_max: int, pass_score: int) -> Decimal:
    """The share of scored items where a straight ``score_min``-``score_max`` line reaches the
    pass score, to three places: AWS publishes no raw-to-scaled map, so this is the cut the
    product assumes (exam-facts.md, "Scaled score"). 750 of 100-1000 gives 0.722."""
    share = Decimal(pass_score - score_min) / Decimal(score_max - score_min)
    return share.quantize(Decimal("0.001"))


# Source: the MLS-C01 exam guide (../shared/exam-facts.md).
MLS_C01 = BlueprintData(
    code="MLS-C01",
    name="AWS Certified Machine Learning – Specialty",
    question_count=65,
    duration_minutes=190,
    accommodation_minutes=30,
    score_min=100,
    score_max=1000,
    pass_score=750,
    cut_fraction=straight_line_cut(score_min=100, score_max=1000, pass_score=750),
    max_unscored_items=15,
    bank="mls-c01",
    # Worded to what can be sourced: no AWS page we could read states the date; third-party
    # guides do (exam-facts.md, "Status"). Change it in the admin once AWS's page is confirmed.
    status_note=(
        "Third-party guides report that AWS retired this exam on 31 March 2026; its successor "
        "for ML engineers is MLA-C01. Check the AWS Certification page before you book."
    ),
    status_source="https://aws.amazon.com/certification/certified-machine-learning-specialty/",
    domains=(
        DomainData(
            1,
            "Data Engineering",
            20,
            (
                ("1.1", "Create data repositories for machine learning."),
                ("1.2", "Identify and implement a data-ingestion solution."),
                ("1.3", "Identify and implement a data-transformation solution."),
            ),
        ),
        DomainData(
            2,
            "Exploratory Data Analysis",
            24,
            (
                ("2.1", "Sanitize and prepare data for modeling."),
                ("2.2", "Perform feature engineering."),
                ("2.3", "Analyze and visualize data for machine learning."),
            ),
        ),
        DomainData(
            3,
            "Modeling",
            36,
            (
                ("3.1", "Frame business problems as machine learning problems."),
                ("3.2", "Select the appropriate model(s) for a given machine learning problem."),
                ("3.3", "Train machine learning models."),
                ("3.4", "Perform hyperparameter optimization."),
                ("3.5", "Evaluate machine learning models."),
            ),
        ),
        DomainData(
            4,
            "Machine Learning Implementation and Operations",
            20,
            (
                (
                    "4.1",
                    "Build machine learning solutions for performance, availability, "
                    "scalability, resiliency, and fault tolerance.",
                ),
                (
                    "4.2",
                    "Recommend and implement the appropriate machine learning services and "
                    "features for a given problem.",
                ),
                ("4.3", "Apply basic AWS security practices to machine learning solutions."),
                ("4.4", "Deploy and operationalize machine learning solutions."),
            ),
        ),
    ),
)

# Source: the MLA-C01 exam guide (content/mla-c01/EXAM.md lists each fact and where it is from).
MLA_C01 = BlueprintData(
    code="MLA-C01",
    name="AWS Certified Machine Learning Engineer – Associate",
    question_count=65,
    duration_minutes=130,
    accommodation_minutes=30,
    score_min=100,
    score_max=1000,
    pass_score=720,
    # Not published by AWS: the same assumption as MLS-C01's, where a straight 100-1000 line
    # crosses the pass score (720 -> 620/900 = 0.689, so 35 of 50 scored items).
    cut_fraction=straight_line_cut(score_min=100, score_max=1000, pass_score=720),
    max_unscored_items=15,
    bank="mla-c01",
    domains=(
        DomainData(
            1,
            "Data Preparation for Machine Learning (ML)",
            28,
            (
                ("1.1", "Ingest and store data."),
                ("1.2", "Transform data and perform feature engineering."),
                ("1.3", "Ensure data integrity and prepare data for modeling."),
            ),
        ),
        DomainData(
            2,
            "ML Model Development",
            26,
            (
                ("2.1", "Choose a modeling approach."),
                ("2.2", "Train and refine models."),
                ("2.3", "Analyze model performance."),
            ),
        ),
        DomainData(
            3,
            "Deployment and Orchestration of ML Workflows",
            22,
            (
                (
                    "3.1",
                    "Select deployment infrastructure based on existing architecture and "
                    "requirements.",
                ),
                (
                    "3.2",
                    "Create and script infrastructure based on existing architecture and "
                    "requirements.",
                ),
                (
                    "3.3",
                    "Use automated orchestration tools to set up continuous integration and "
                    "continuous delivery (CI/CD) pipelines.",
                ),
            ),
        ),
        DomainData(
            4,
            "ML Solution Monitoring, Maintenance, and Security",
            24,
            (
                ("4.1", "Monitor model inference."),
                ("4.2", "Monitor and optimize infrastructure and costs."),
                ("4.3", "Secure AWS resources."),
            ),
        ),
    ),
)

# Every exam the product ships, each with its bank in content/<bank>/.
BLUEPRINTS: tuple[BlueprintData, ...] = (MLS_C01, MLA_C01)
CONTENT_ROOT = Path(__file__).resolve().parents[2] / "content"


def shipped_banks(root: Path = CONTENT_ROOT) -> list[Path]:
    """The shipped bank folders that exist, in ``BLUEPRINTS`` order (bin/setup imports them)."""
    return [root / data.bank for data in BLUEPRINTS if (root / data.bank).is_dir()]


# The exam a candidate gets when none is named and their profile names none (pages, commands).
DEFAULT_BLUEPRINT_CODE = MLS_C01.code


def shipped_blueprint(code: str) -> BlueprintData | None:
    return next((data for data in BLUEPRINTS if data.code == code), None)


def install_blueprint(apps: Apps, data: BlueprintData) -> None:
    """Write one exam's row, domains and objectives (idempotent: update or create).

    Only the fields the model has at this point of the migration history are written: an early
    migration's historical model lacks fields added since, and a later migration installs again.
    """
    Blueprint = apps.get_model("quiz", "Blueprint")
    Domain = apps.get_model("quiz", "Domain")
    Objective = apps.get_model("quiz", "Objective")
    has = {field.name for field in Blueprint._meta.get_fields()}
    blueprint, _ = Blueprint.objects.update_or_create(
        code=data.code,
        defaults={name: value for name, value in data.model_fields().items() if name in has},
    )
    for domain_data in data.domains:
        domain, _ = Domain.objects.update_or_create(
            blueprint=blueprint,
            number=domain_data.number,
            defaults={"title": domain_data.title, "weight": domain_data.weight},
        )
        for code, objective_title in domain_data.objectives:
            Objective.objects.update_or_create(
                domain=domain, code=code, defaults={"title": objective_title}
            )


def install_blueprints(apps: Apps) -> None:
    for data in BLUEPRINTS:
        install_blueprint(apps, data)


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
