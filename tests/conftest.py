from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import UserFactory, small_blueprint

# The instant most tests pass as the clock.
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

TRANSACTIONAL = {"transactional_db", "live_server"}


@pytest.fixture(scope="session", autouse=True)
def _collected_static():
    """Production serves hashed, compressed static files that collectstatic writes; so do the
    tests (a template naming a missing file fails here as it would in production)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0, clear=True)


@pytest.fixture(autouse=True)
def _installed_data(request):
    """The data every install has (the shipped blueprints, the authors' group), even after a
    flush.

    A transactional test (browser, concurrency) empties the tables when it ends, and Django only
    restores serialized data at the start of the next serialized test, so other tests re-install
    it here: one query when it is already present.
    """
    marker = request.node.get_closest_marker("django_db")
    wants_db = marker is not None or {"db", *TRANSACTIONAL} & set(request.fixturenames)
    if not wants_db:
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        TRANSACTIONAL & set(request.fixturenames)
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from quiz.bank.blueprint import BLUEPRINTS, install_authors_group, install_blueprints
    from quiz.models import Blueprint

    if Blueprint.objects.filter(code__in=[data.code for data in BLUEPRINTS]).count() < len(
        BLUEPRINTS
    ):
        install_blueprints(apps)
        install_authors_group(apps)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def candidate_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def blueprint(db):
    """A small blueprint with a bank that fills its forms (see ``small_blueprint``)."""
    return small_blueprint()


@pytest.fixture
def attempt(blueprint, user):
    from quiz.exam.services import start_attempt

    return start_attempt(user=user, blueprint=blueprint, now=NOW, seed=1234)
