"""The MLS-C01 blueprint (../shared/exam-facts.md) and the authors' group, as data.

Installed by a data migration on every install, and re-installed by the test suite after a
transactional test has flushed the database. Functions take an app registry (``apps``) so the
migration can pass its historical models. Another certification's blueprint is added the same
way: a Blueprint row with its Domain and Objective rows; no code changes.
"""

from decimal import Decimal

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


def install_mls_c01(apps) -> None:
    Blueprint = apps.get_model("quiz", "Blueprint")
    Domain = apps.get_model("quiz", "Domain")
    Objective = apps.get_model("quiz", "Objective")
    blueprint, _ = Blueprint.objects.update_or_create(
        code="MLS-C01",
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


def install_authors_group(apps) -> None:
    """Question authors add and change questions; they cannot manage users."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Question authors")
    codenames = [
        f"{action}_{model}"
        for model in ("question", "choice")
        for action in ("add", "change", "view")
    ] + ["view_blueprint", "view_domain", "view_objective", "view_questionversion"]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="quiz", codename__in=codenames)
    )
