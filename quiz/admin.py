"""Django's admin discovers ``quiz.admin``; the authoring admin lives with the bank."""

from quiz.bank import admin  # noqa: F401
from quiz.reports import admin as reports_admin  # noqa: F401
from quiz.stats import admin as stats_admin  # noqa: F401
