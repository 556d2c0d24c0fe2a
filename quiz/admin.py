"""Django's admin discovers ``quiz.admin``; the authoring admin lives with the bank."""

from quiz.bank import admin  # noqa: F401
