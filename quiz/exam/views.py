"""Thin views: HTTP in, a service or a query, HTTP out. The exam's rules live elsewhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from quiz.exam.assembly import BankTooSmall
from quiz.exam.forms import REVIEW_FILTERS, AnswerForm
from quiz.exam.services import finish_attempt, granted_minutes, save_answer, start_attempt
from quiz.http import CONFLICT, INVALID, blueprint_or_404
from quiz.models import Attempt, AttemptItem


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def mock_start(request: HttpRequest, code: str | None = None) -> HttpResponse:
    blueprint = blueprint_or_404(code)
    now = timezone.now()
    in_progress = (
        Attempt.objects.for_user(request.user).in_progress().filter(blueprint=blueprint).first()
    )
    if in_progress and in_progress.is_overdue(now):
        finish_attempt(attempt=in_progress, now=now)
        in_progress = None
    if request.method == "POST":
        try:
            attempt = start_attempt(user=request.user, blueprint=blueprint, now=now)
        except BankTooSmall as error:
            return TemplateResponse(
                request,
                "quiz/mock_start.html",
                _start_context(request, blueprint, None, shortfalls=error.shortfalls),
                status=CONFLICT,
            )
        return redirect(attempt.get_absolute_url())
    return TemplateResponse(
        request, "quiz/mock_start.html", _start_context(request, blueprint, in_progress)
    )


def _start_context(request, blueprint, in_progress, shortfalls=()) -> dict:
    return {
        "blueprint": blueprint,
        "in_progress": in_progress,
        "minutes": granted_minutes(blueprint=blueprint, user=request.user),
        "shortfalls": shortfalls,
    }


def _open_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    """The candidate's own attempt (404 for anyone else's, exactly as for a missing one)."""
    return get_object_or_404(
        Attempt.objects.for_user(request.user).select_related("blueprint"), pk=attempt_id
    )


def _finished_redirect(request: HttpRequest, attempt: Attempt) -> HttpResponse | None:
    """Send a finished (or just expired) attempt to its result page."""
    now = timezone.now()
    if not attempt.is_finished and attempt.is_overdue(now):
        attempt = finish_attempt(attempt=attempt, now=now)
        messages.info(request, "Time ran out: your exam was submitted with the answers you saved.")
    if attempt.is_finished:
        return _redirect(request, reverse("quiz:attempt_result", args=[attempt.pk]))
    return None


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Leave the exam screen: htmx is told to load the whole page, a plain post is redirected."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def attempt_question(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    item = get_object_or_404(
        _items_shown().select_related("attempt__blueprint"),
        attempt__in=Attempt.objects.for_user(request.user),
        attempt_id=attempt_id,
        position=position,
    )
    attempt = item.attempt
    if response := _finished_redirect(request, attempt):
        return response
    error = None
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                save_answer(
                    attempt_id=attempt.pk,
                    user=request.user,
                    position=position,
                    answer=form.answer(),
                    now=timezone.now(),
                )
            except ValidationError as invalid:
                if invalid.code in {"deadline_passed", "attempt_finished"}:
                    attempt.refresh_from_db()
                    return _finished_redirect(request, attempt)
                error = invalid.messages[0]
            else:
                return _go(request, attempt, position, form.cleaned_data["go"])
        else:
            error = "That answer could not be read. Choose from the options shown."
        item.refresh_from_db()
    return _question_page(request, attempt, item, error=error, status=INVALID if error else 200)


def _go(request: HttpRequest, attempt: Attempt, position: int, go: str) -> HttpResponse:
    """Where a posted answer form goes next: the review screen, or another item."""
    if go == "review":
        return _redirect(request, reverse("quiz:attempt_review", args=[attempt.pk]))
    target = {"prev": position - 1, "next": position + 1, "stay": position}.get(go)
    if target is None:
        # The form read ``go``: empty, or an item number of 1 to 3 ASCII digits.
        target = int(go) if go else position
    target = min(max(target, 1), attempt.blueprint.question_count)
    url = reverse("quiz:attempt_question", args=[attempt.pk, target])
    if not request.htmx:
        return redirect(url)
    # Render the next item in place and put its URL in the address bar.
    item = _items_shown().get(attempt=attempt, position=target)
    response = _question_page(request, attempt, item)
    response["HX-Push-Url"] = url
    return response


def _items_shown():
    """Items with the version a candidate is shown (its authored source is not needed)."""
    return AttemptItem.objects.select_related("version").defer("version__source")


def _question_page(request, attempt, item, *, error=None, status=200) -> TemplateResponse:
    if attempt.current_position != item.position:
        # Resume lands where the candidate last looked, on any device.
        Attempt.objects.filter(pk=attempt.pk).update(current_position=item.position)
    navigator = list(
        AttemptItem.objects.filter(attempt=attempt)
        .order_by("position")
        # Whether an item is answered, asked of the database: 65 booleans, not 65 JSON lists.
        .annotate(answered=ExpressionWrapper(~Q(selected=[]), output_field=BooleanField()))
        .values_list("position", "answered", "flagged")
    )
    version = item.version
    options = version.options_shown(item.option_order, selected=item.selected, struck=item.struck)
    context = {
        "attempt": attempt,
        "item": item,
        "version": version,
        "options": options,
        "input_type": "checkbox" if version.type == "multiple" else "radio",
        "navigator": navigator_entries(navigator, current=item.position),
        "count": len(navigator),
        "seconds_left": attempt.seconds_left(timezone.now()),
        "error": error,
    }
    template = "quiz/attempt_question.html"
    if request.htmx:
        template += "#exam"
    return TemplateResponse(request, template, context, status=status)


def navigator_entries(rows, *, current: int) -> list[dict]:
    """The navigator's 65 buttons, as ready-made values: rendering them is the page's hot spot,
    and the tag that renders them skips the template engine (and its number localisation)."""
    entries = []
    for position, answered, flagged in rows:
        state = ", answered" if answered else ", unanswered"
        css = "nav-item"
        if answered:
            css += " is-answered"
        if flagged:
            css += " is-flagged"
            state += ", flagged"
        entries.append(
            {
                "position": int(position),
                "css": css,
                "label": f"Question {position}{state}",
                "current": position == current,
            }
        )
    return entries


@login_required
@require_POST
def attempt_save(request: HttpRequest, attempt_id: int, position: int) -> JsonResponse:
    """Autosave from the taking screen's script: JSON in the shape the script expects.

    Ownership is checked by ``save_answer`` in the same query that reads the item.
    """
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"ok": False, "code": "invalid", "message": "That answer could not be read."},
            status=400,
        )
    try:
        item = save_answer(
            attempt_id=attempt_id,
            user=request.user,
            position=position,
            answer=form.answer(),
            now=timezone.now(),
        )
    except AttemptItem.DoesNotExist as missing:
        raise Http404("No such item.") from missing
    except ValidationError as invalid:
        status = {
            "stale_revision": 409,
            "deadline_passed": 410,
            "attempt_finished": 410,
        }.get(invalid.code, INVALID)
        return JsonResponse(
            {
                "ok": False,
                "code": invalid.code,
                "message": invalid.messages[0],
                "result_url": reverse("quiz:attempt_result", args=[attempt_id]),
            },
            status=status,
        )
    return JsonResponse(
        {
            "ok": True,
            "revision": item.revision,
            "answered": bool(item.selected),
            "flagged": item.flagged,
        }
    )


@login_required
@never_cache
@require_GET
def attempt_clock(request: HttpRequest, attempt_id: int) -> JsonResponse:
    """Seconds left by the server's clock, for the countdown to re-synchronise."""
    attempt = _open_attempt(request, attempt_id)
    now = timezone.now()
    return JsonResponse(
        {
            "seconds_left": 0 if attempt.is_finished else attempt.seconds_left(now),
            "finished": attempt.is_finished or attempt.is_overdue(now),
        }
    )


@login_required
@never_cache
@require_GET
def attempt_review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _open_attempt(request, attempt_id)
    if response := _finished_redirect(request, attempt):
        return response
    show = request.GET.get("show", "all")
    if show not in REVIEW_FILTERS:
        show = "all"
    items = list(
        AttemptItem.objects.filter(attempt=attempt)
        .select_related("version")
        .only("position", "selected", "flagged", "version__type", "version__choices")
        .order_by("position")
    )
    rows = [
        {
            "position": item.position,
            "answered": item.is_answered,
            "complete": item.is_complete,
            "flagged": item.flagged,
        }
        for item in items
    ]
    keep = {
        "all": lambda r: True,
        "unanswered": lambda r: not r["answered"],
        "incomplete": lambda r: r["answered"] and not r["complete"],
        "flagged": lambda r: r["flagged"],
    }[show]
    context = {
        "attempt": attempt,
        "rows": [r for r in rows if keep(r)],
        "filters": REVIEW_FILTERS,
        "show": show,
        "unanswered": sum(not r["answered"] for r in rows),
        "incomplete": sum(r["answered"] and not r["complete"] for r in rows),
        "flagged": sum(r["flagged"] for r in rows),
        "count": len(rows),
        "seconds_left": attempt.seconds_left(timezone.now()),
    }
    return TemplateResponse(request, "quiz/attempt_review.html", context)


@login_required
@require_POST
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _open_attempt(request, attempt_id)
    finish_attempt(attempt=attempt, now=timezone.now())
    return redirect("quiz:attempt_result", attempt_id=attempt.pk)
