from quiz.models.attempts import Attempt, AttemptItem, SeenQuestion
from quiz.models.bank import Blueprint, Choice, Domain, Objective, Question, QuestionVersion
from quiz.models.practice import Bookmark, PracticeItem, PracticeSession

__all__ = [
    "Attempt",
    "AttemptItem",
    "Blueprint",
    "Bookmark",
    "Choice",
    "Domain",
    "Objective",
    "PracticeItem",
    "PracticeSession",
    "Question",
    "QuestionVersion",
    "SeenQuestion",
]
