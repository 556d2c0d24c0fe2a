"""Practice: untimed drills with instant feedback, and bookmarks. Thin views over services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quiz.exam.keys import paused_during_mock
from quiz.http import (
    CONFLICT,
    INVALID,
    candidate_blueprint,
    next_url,
    optional_int,
)
from quiz.models import (
    Attempt,
    AttemptItem,
    Bookmark,
    PracticeItem,
    PracticeSession,
    QuestionReport,
)
from quiz.practice.forms import PracticeAnswerForm, PracticeSetupForm
from quiz.practice.services import (
    NothingToPractise,
    answer_practice,
    end_practice,
    start_practice,
    toggle_bookmark,
)
from quiz.readiness.review import record_review


@login_required
@paused_during_mock
@never_cache
@require_http_methods(["GET", "POST"])
def practice_start(request: HttpRequest) -> HttpResponse:
    blueprint = candidate_blueprint(request.GET.get("blueprint"), request.user)
    initial = {}
    if (objective := optional_int(request.GET, "objective")) is not None:
        initial["objectives"] = [objective]
    form = PracticeSetupForm(request.POST or None, blueprint=blueprint, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                session = start_practice(
                    user=request.user,
                    blueprint=blueprint,
                    kind=form.cleaned_data["kind"],
                    length=form.cleaned_data["size"],
                    objective_ids=form.cleaned_data.get("objective_ids"),
                    now=timezone.now(),
                )
            except NothingToPractise as empty:
                messages.info(request, f"Nothing to practise yet: {empty}.")
                status = CONFLICT
            else:
                return redirect("quiz:practice_question", session_id=session.pk, position=1)
        else:
            status = INVALID
    context = {
        "form": form,
        "blueprint": blueprint,
        "bookmark_count": Bookmark.objects.filter(
            user=request.user, question__objective__domain__blueprint=blueprint
        ).count(),
        "recent": PracticeSession.objects.for_user(request.user).filter(blueprint=blueprint)[:5],
    }
    return TemplateResponse(request, "quiz/practice_start.html", context, status=status)


def _item(request: HttpRequest, session_id: int, position: int) -> PracticeItem:
    return get_object_or_404(
        PracticeItem.objects.select_related(
            "session", "version__objective", "version__case_version"
        ),
        session_id=session_id,
        session__user=request.user,
        position=position,
    )


@login_required
@paused_during_mock
@never_cache
@require_http_methods(["GET", "POST"])
def practice_question(request: HttpRequest, session_id: int, position: int) -> HttpResponse:
    item = _item(request, session_id, position)
    error = None
    if request.method == "POST":
        form = PracticeAnswerForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.error_message(), code="invalid")
            item = answer_practice(
                session_id=session_id,
                user=request.user,
                position=position,
                selected=tuple(form.cleaned_data["selected"]),
                struck=tuple(form.cleaned_data["struck"]),
                now=timezone.now(),
            )
        except ValidationError as invalid:
            error = invalid.messages[0]
        else:
            record_review(item=item, now=timezone.now())
            if not request.htmx:
                return redirect("quiz:practice_question", session_id=session_id, position=position)
    return _practice_page(request, item, error=error)


def _practice_page(request, item: PracticeItem, *, error=None) -> TemplateResponse:
    session = item.session
    version = item.version
    navigator = practice_navigator(
        session.items.order_by("position").values_list("position", "answered_at", "is_correct"),
        current=item.position,
    )
    count = len(navigator)
    context = {
        "session": session,
        "item": item,
        "version": version,
        # The key and rationales only once answered: they are the feedback.
        **version.shown(
            item.option_order,
            selected=item.selected,
            struck=item.struck,
            reveal_key=item.is_answered,
        ),
        "count": count,
        "navigator": navigator,
        "input_type": "checkbox" if version.type == "multiple" else "radio",
        "bookmarked": Bookmark.objects.filter(
            user=request.user, question_id=version.question_id
        ).exists(),
        "report": QuestionReport.objects.for_user(request.user).filter(version=version).first()
        if item.is_answered
        else None,
        "report_reasons": QuestionReport.Reason.choices,
        "error": error,
    }
    template = "quiz/practice_question.html"
    if request.htmx:
        template += "#practice"
    return TemplateResponse(request, template, context, status=INVALID if error else 200)


def practice_navigator(rows, *, current: int) -> list[dict]:
    """The drill's items for its navigator: each one's state in words (answered items are
    feedback already, so right or wrong may be said) and the one on screen."""
    entries = []
    for position, answered_at, is_correct in rows:
        if answered_at is None:
            state, css = "not answered", "nav-item"
        elif is_correct:
            state, css = "correct", "nav-item is-answered is-correct"
        else:
            state, css = "incorrect", "nav-item is-answered is-incorrect"
        entries.append(
            {
                "position": position,
                "state": state,
                "css": css,
                "label": f"Question {position}, {state}",
                "current": position == current,
            }
        )
    return entries


@login_required
@require_POST
def practice_end(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(PracticeSession.objects.for_user(request.user), pk=session_id)
    end_practice(session=session, now=timezone.now())
    return redirect(session.get_absolute_url())


@login_required
@paused_during_mock
@never_cache
@require_GET
def practice_summary(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(PracticeSession.objects.for_user(request.user), pk=session_id)
    items = list(session.items.select_related("version__objective").order_by("position"))
    answered = [i for i in items if i.is_answered]
    by_objective: dict[str, dict] = {}
    for item in answered:
        objective = item.version.objective
        row = by_objective.setdefault(
            objective.code, {"objective": objective, "correct": 0, "answered": 0}
        )
        row["answered"] += 1
        row["correct"] += bool(item.is_correct)
    context = {
        "session": session,
        "items": items,
        "answered": len(answered),
        "correct": sum(bool(i.is_correct) for i in answered),
        "objectives": sorted(by_objective.values(), key=lambda r: r["objective"].code),
    }
    return TemplateResponse(request, "quiz/practice_summary.html", context)


@login_required
@require_POST
def bookmark_toggle(request: HttpRequest, question_id: int) -> HttpResponse:
    """Bookmark a question the candidate has been shown (in practice or a finished mock), or
    remove the bookmark. Any other question id is a 404, as if it did not exist."""
    if not _has_seen(request.user, question_id):
        raise Http404("No such question.")
    now_bookmarked = toggle_bookmark(user=request.user, question_id=question_id)
    if request.htmx:
        return TemplateResponse(
            request,
            "quiz/includes/bookmark_button.html",
            {"question_id": question_id, "bookmarked": now_bookmarked},
        )
    messages.success(request, "Bookmarked." if now_bookmarked else "Bookmark removed.")
    return HttpResponseRedirect(next_url(request, default=reverse("quiz:practice_start")))


def _has_seen(user, question_id: int) -> bool:
    """Shown to the user in practice, or in a mock they have finished (never before the key
    may be known)."""
    return (
        PracticeItem.objects.filter(session__user=user, version__question_id=question_id).exists()
        or AttemptItem.objects.filter(
            attempt__user=user,
            attempt__status=Attempt.Status.FINISHED,
            version__question_id=question_id,
        ).exists()
    )
