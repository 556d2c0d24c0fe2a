from __future__ import annotations

from datetime import UTC, datetime

import pytest

from quiz.services import start_attempt
from tests.factories import small_blueprint

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def blueprint(db):
    return small_blueprint()


@pytest.fixture
def attempt(blueprint, user):
    return start_attempt(user=user, blueprint=blueprint, now=NOW, seed=1234)
