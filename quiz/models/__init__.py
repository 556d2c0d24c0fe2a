from quiz.models.attempts import Attempt, AttemptItem
from quiz.models.bank import (
    Blueprint,
    Choice,
    Domain,
    Objective,
    Question,
    QuestionVersion,
    SeenQuestion,
)
from quiz.models.practice import Bookmark, PracticeItem, PracticeSession
from quiz.models.review import ExamDate, ReviewCard

__all__ = [
    "Attempt",
    "AttemptItem",
    "Blueprint",
    "Bookmark",
    "Choice",
    "Domain",
    "ExamDate",
    "Objective",
    "PracticeItem",
    "PracticeSession",
    "Question",
    "QuestionVersion",
    "ReviewCard",
    "SeenQuestion",
]
