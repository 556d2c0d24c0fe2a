from django.urls import path, register_converter

from quiz.dashboard import views as dashboard_views
from quiz.exam import report_views
from quiz.exam import views as exam_views
from quiz.http import CodeConverter, IdConverter
from quiz.practice import views as practice_views
from quiz.readiness import views as readiness_views
from quiz.reports import views as report_question_views

register_converter(IdConverter, "id")
register_converter(CodeConverter, "code")

app_name = "quiz"

urlpatterns = [
    path("mock/", exam_views.mock_start, name="mock_start"),
    path("mock/<code:code>/", exam_views.mock_start, name="mock_start_blueprint"),
    path(
        "attempts/<id:attempt_id>/questions/<id:position>/",
        exam_views.attempt_question,
        name="attempt_question",
    ),
    path(
        "attempts/<id:attempt_id>/questions/<id:position>/save/",
        exam_views.attempt_save,
        name="attempt_save",
    ),
    path("attempts/<id:attempt_id>/clock/", exam_views.attempt_clock, name="attempt_clock"),
    path("attempts/<id:attempt_id>/review/", exam_views.attempt_review, name="attempt_review"),
    path("attempts/<id:attempt_id>/submit/", exam_views.attempt_submit, name="attempt_submit"),
    path("attempts/<id:attempt_id>/abandon/", exam_views.attempt_abandon, name="attempt_abandon"),
    path("attempts/<id:attempt_id>/result/", report_views.attempt_result, name="attempt_result"),
    path("attempts/<id:attempt_id>/answers/", report_views.attempt_answers, name="attempt_answers"),
    path("history/", dashboard_views.history, name="history"),
    path("practice/", practice_views.practice_start, name="practice_start"),
    path(
        "practice/<id:session_id>/questions/<id:position>/",
        practice_views.practice_question,
        name="practice_question",
    ),
    path("practice/<id:session_id>/end/", practice_views.practice_end, name="practice_end"),
    path("practice/<id:session_id>/", practice_views.practice_summary, name="practice_summary"),
    path("review/start/", readiness_views.review_start, name="review_start"),
    path("exam-date/", readiness_views.exam_date, name="exam_date"),
    path(
        "questions/<id:version_id>/report/",
        report_question_views.question_report,
        name="question_report",
    ),
    path("reports/", report_question_views.my_reports, name="my_reports"),
    path(
        "notices/<id:notice_id>/dismiss/",
        report_question_views.notice_dismiss,
        name="notice_dismiss",
    ),
    path(
        "bookmarks/<id:question_id>/toggle/",
        practice_views.bookmark_toggle,
        name="bookmark_toggle",
    ),
]
