from quiz.models.attempts import Attempt, AttemptItem, ItemState, item_state
from quiz.models.bank import (
    Blueprint,
    CaseStudy,
    CaseVersion,
    Choice,
    Domain,
    Objective,
    Question,
    QuestionVersion,
    SeenQuestion,
)
from quiz.models.pipeline import QuestionStatusChange
from quiz.models.practice import Bookmark, PracticeItem, PracticeSession
from quiz.models.reports import QuestionReport, Regrade, RegradeNotice
from quiz.models.review import ExamDate, ReviewCard
from quiz.models.stats import ItemStatistics, StatsRefresh

__all__ = [
    "Attempt",
    "AttemptItem",
    "Blueprint",
    "Bookmark",
    "CaseStudy",
    "CaseVersion",
    "Choice",
    "Domain",
    "ExamDate",
    "ItemState",
    "ItemStatistics",
    "Objective",
    "PracticeItem",
    "PracticeSession",
    "Question",
    "QuestionReport",
    "QuestionStatusChange",
    "QuestionVersion",
    "Regrade",
    "RegradeNotice",
    "ReviewCard",
    "SeenQuestion",
    "StatsRefresh",
    "item_state",
]
