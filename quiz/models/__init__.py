from quiz.models.attempts import Attempt, AttemptItem
from quiz.models.bank import Blueprint, Choice, Domain, Objective, Question, QuestionVersion

__all__ = [
    "Attempt",
    "AttemptItem",
    "Blueprint",
    "Choice",
    "Domain",
    "Objective",
    "Question",
    "QuestionVersion",
]
