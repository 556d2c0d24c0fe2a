from django.urls import path

from quiz import practice_views, reports, views

app_name = "quiz"

urlpatterns = [
    path("mock/", views.mock_start, name="mock_start"),
    path("mock/<str:code>/", views.mock_start, name="mock_start_blueprint"),
    path(
        "attempts/<int:attempt_id>/questions/<int:position>/",
        views.attempt_question,
        name="attempt_question",
    ),
    path(
        "attempts/<int:attempt_id>/questions/<int:position>/save/",
        views.attempt_save,
        name="attempt_save",
    ),
    path("attempts/<int:attempt_id>/clock/", views.attempt_clock, name="attempt_clock"),
    path("attempts/<int:attempt_id>/review/", views.attempt_review, name="attempt_review"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<int:attempt_id>/result/", reports.attempt_result, name="attempt_result"),
    path("attempts/<int:attempt_id>/answers/", reports.attempt_answers, name="attempt_answers"),
    path("practice/", practice_views.practice_start, name="practice_start"),
    path(
        "practice/<int:session_id>/questions/<int:position>/",
        practice_views.practice_question,
        name="practice_question",
    ),
    path("practice/<int:session_id>/end/", practice_views.practice_end, name="practice_end"),
    path("practice/<int:session_id>/", practice_views.practice_summary, name="practice_summary"),
    path(
        "bookmarks/<int:question_id>/toggle/",
        practice_views.bookmark_toggle,
        name="bookmark_toggle",
    ),
]
