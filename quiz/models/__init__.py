from quiz.models.attempts import Attempt, AttemptItem, ItemState, item_state
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

__all__ = [
    "Attempt",
    "AttemptItem",
    "Blueprint",
    "Bookmark",
    "Choice",
    "Domain",
    "ItemState",
    "Objective",
    "PracticeItem",
    "PracticeSession",
    "Question",
    "QuestionVersion",
    "SeenQuestion",
    "item_state",
]
