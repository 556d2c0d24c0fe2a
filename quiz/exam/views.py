"""Thin views: HTTP in, a service or a query, HTTP out. The exam's rules live elsewhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from quiz.exam.assembly import BankTooSmall, bank_shortfalls
from quiz.exam.forms import (
    REVIEW_FILTERS,
    REVIEW_SUBSETS,
    AnswerForm,
    MockStartForm,
    in_review_subset,
)
from quiz.exam.services import (
    abandon_attempt,
    blueprint_spec,
    finish_attempt,
    granted_minutes,
    mock_format,
    record_presence,
    save_answer,
    start_attempt,
)
from quiz.http import CONFLICT, INVALID, candidate_blueprint, optional_int
from quiz.models import Attempt, AttemptItem, ItemState, Question, item_state


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def mock_start(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """An exam's start page (the candidate's chosen exam at ``/mock/``): its rules and status,
    whether its bank can fill a form yet, and the formats (full exam, mini mock, one domain); a
    POST starts one, or resumes the mock in progress (one at a time per blueprint)."""
    blueprint = candidate_blueprint(code, request.user)
    now = timezone.now()
    in_progress = (
        Attempt.objects.for_user(request.user)
        .in_progress()
        .filter(blueprint=blueprint)
        .select_related("domain")
        .first()
    )
    if in_progress and in_progress.is_overdue(now):
        finish_attempt(attempt=in_progress, now=now)
        in_progress = None
    form = MockStartForm(request.POST if request.method == "POST" else None, blueprint=blueprint)
    if request.method == "POST":
        if not form.is_valid():
            return TemplateResponse(
                request,
                "quiz/mock_start.html",
                _start_context(request, blueprint, in_progress, form),
                status=INVALID,
            )
        try:
            attempt = start_attempt(
                user=request.user,
                blueprint=blueprint,
                now=now,
                form=form.cleaned_data["format"],
                domain=form.chosen_domain(),
            )
        except BankTooSmall as error:
            return TemplateResponse(
                request,
                "quiz/mock_start.html",
                _start_context(request, blueprint, None, form, shortfalls=error.shortfalls),
                status=CONFLICT,
            )
        return redirect(attempt.get_absolute_url())
    return TemplateResponse(
        request, "quiz/mock_start.html", _start_context(request, blueprint, in_progress, form)
    )


def _start_context(request, blueprint, in_progress, form, shortfalls=None) -> dict:
    """The start page: each format's size and time for this candidate, from the blueprint."""
    published, pretest = Question.objects.servable_counts(blueprint)
    if shortfalls is None:
        # Said before the candidate presses Start: an exam whose bank is still being written
        # (a new blueprint) explains itself instead of failing on the click.
        shortfalls = bank_shortfalls(
            blueprint_spec(blueprint), published=published, pretest=pretest
        )

    def sized(spec) -> dict:
        minutes = granted_minutes(blueprint=blueprint, user=request.user, items=spec.question_count)
        return {"items": spec.question_count, "minutes": minutes}

    full = sized(mock_format(blueprint=blueprint, form=Attempt.Format.FULL))
    return {
        "blueprint": blueprint,
        "in_progress": in_progress,
        "minutes": full["minutes"],
        "form": form,
        "full": full,
        "mini": sized(mock_format(blueprint=blueprint, form=Attempt.Format.MINI)),
        "domains": [
            {
                "domain": domain,
                **sized(
                    mock_format(blueprint=blueprint, form=Attempt.Format.DOMAIN, domain=domain)
                ),
            }
            for domain in form.domains.values()
        ],
        "shortfalls": shortfalls,
        "published_count": sum(published.values()),
        "pretest_count": pretest,
    }


def _open_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    """The candidate's own attempt (404 for anyone else's, exactly as for a missing one)."""
    return get_object_or_404(
        Attempt.objects.for_user(request.user).select_related("blueprint", "domain"),
        pk=attempt_id,
    )


def _finished_redirect(request: HttpRequest, attempt: Attempt) -> HttpResponse | None:
    """Send a finished (or just expired) attempt to its result page, an abandoned one to the
    history (it has no result)."""
    now = timezone.now()
    if attempt.is_open and attempt.is_overdue(now):
        attempt = finish_attempt(attempt=attempt, now=now)
        messages.info(request, "Time ran out: your exam was submitted with the answers you saved.")
    if attempt.is_abandoned:
        messages.info(request, "That mock exam was abandoned: it was not scored.")
    if not attempt.is_open:
        return _redirect(request, attempt.get_absolute_url())
    return None


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Leave the exam screen: htmx is told to load the whole page, a plain post is redirected."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def attempt_question(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    item = get_object_or_404(
        _items_shown().select_related("attempt__blueprint", "attempt__domain"),
        attempt__in=Attempt.objects.for_user(request.user),
        attempt_id=attempt_id,
        position=position,
    )
    attempt = item.attempt
    if response := _finished_redirect(request, attempt):
        return response
    error = None
    conflict = False
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
                if invalid.code in {"deadline_passed", "attempt_finished", "attempt_abandoned"}:
                    attempt.refresh_from_db()
                    return _finished_redirect(request, attempt)
                error = invalid.messages[0]
                if invalid.code == "stale_revision":
                    conflict = True
                    error = STALE_MESSAGE
            else:
                return _go(
                    request, attempt, position, form.cleaned_data["go"], form.cleaned_data["review"]
                )
        else:
            error = form.error_message()
        item.refresh_from_db()
    review = request.POST.get("review") if request.method == "POST" else request.GET.get("review")
    return _question_page(
        request,
        attempt,
        item,
        error=error,
        status=CONFLICT if conflict else INVALID if error else 200,
        review=review if review in REVIEW_SUBSETS else "",
        conflict=conflict,
    )


def _go(
    request: HttpRequest, attempt: Attempt, position: int, go: str, review: str = ""
) -> HttpResponse:
    """Where a posted answer form goes next: the review screen, or another item (within the
    review subset being stepped through, if any; past its last item, back to the review grid)."""
    if go == "review":
        return _redirect(request, reverse("quiz:attempt_review", args=[attempt.pk]))
    if review and go in {"prev", "next"}:
        target = _step_in_subset(attempt, position, review, forward=go == "next")
        if target is None:
            return _redirect(request, reverse("quiz:attempt_review", args=[attempt.pk]))
    else:
        target = {"prev": position - 1, "next": position + 1, "stay": position}.get(go)
        if target is None:
            # The form read ``go``: empty, or an item number of 1 to 3 ASCII digits.
            target = int(go) if go else position
    target = min(max(target, 1), attempt.item_count)
    url = reverse("quiz:attempt_question", args=[attempt.pk, target])
    if review:
        url += f"?review={review}"
    if not request.htmx:
        return redirect(url)
    # Render the next item in place and put its URL in the address bar.
    item = _items_shown().get(attempt=attempt, position=target)
    response = _question_page(request, attempt, item, review=review)
    response["HX-Push-Url"] = url
    return response


def _step_in_subset(attempt: Attempt, position: int, review: str, *, forward: bool) -> int | None:
    """The next (or previous) item of the subset after ``position``, by the items' state now."""
    rows = AttemptItem.objects.filter(attempt=attempt).values_list(
        "position", "selected", "choose", "flagged"
    )
    members = sorted(
        p
        for p, selected, choose, flagged in rows
        if in_review_subset(review, state=item_state(selected, choose), flagged=flagged)
    )
    if forward:
        return next((p for p in members if p > position), None)
    return next((p for p in reversed(members) if p < position), None)


def _items_shown():
    """Items with the version a candidate is shown (its authored source is not needed)."""
    return AttemptItem.objects.select_related("version__case_version").defer(
        "version__source", "version__case_version__source"
    )


STALE_MESSAGE = (
    "Another tab or window changed this answer, so this change was not saved. "
    "The page now shows the answer that is saved."
)


def _question_page(
    request, attempt, item, *, error=None, status=200, review="", conflict=False
) -> TemplateResponse:
    # Resume lands where the candidate last looked, on any device; the item's time starts now.
    record_presence(attempt=attempt, position=item.position, now=timezone.now(), resume=True)
    navigator = list(
        AttemptItem.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list("position", "selected", "choose", "flagged")
    )
    version = item.version
    context = {
        "attempt": attempt,
        "item": item,
        "version": version,
        **version.shown(item.option_order, selected=item.selected, struck=item.struck),
        "input_type": "checkbox" if version.type == "multiple" else "radio",
        "navigator": navigator_entries(navigator, current=item.position),
        "count": len(navigator),
        "seconds_left": attempt.seconds_left(timezone.now()),
        "error": error,
        "conflict": conflict,
        "review": review,
        "review_label": REVIEW_SUBSETS.get(review, ""),
        **_subset_place(navigator, item.position, review),
    }
    template = "quiz/attempt_question.html"
    if request.htmx:
        template += "#exam"
    return TemplateResponse(request, template, context, status=status)


def _subset_place(rows, position: int, review: str) -> dict:
    """Where the item stands in the subset being reviewed: "2 of 5", and whether it is the last."""
    if not review:
        return {}
    members = [
        p
        for p, selected, choose, flagged in rows
        if in_review_subset(review, state=item_state(selected, choose), flagged=flagged)
    ]
    later = [p for p in members if p > position]
    return {
        "review_index": members.index(position) + 1 if position in members else None,
        "review_count": len(members),
        "review_last": not later,
    }


NAV_STATE_CSS = {
    ItemState.UNANSWERED: "nav-item",
    ItemState.INCOMPLETE: "nav-item is-incomplete",
    ItemState.ANSWERED: "nav-item is-answered",
}


def navigator_entries(rows, *, current: int) -> list[dict]:
    """The navigator's 65 buttons, as ready-made values: rendering them is the page's hot spot,
    and the tag that renders them skips the template engine (and its number localisation)."""
    entries = []
    for position, selected, choose, flagged in rows:
        state = item_state(selected, choose)
        css = NAV_STATE_CSS[state]
        label = f"Question {position}, {ItemState(state).label.lower()}"
        if flagged:
            css += " is-flagged"
            label += ", flagged"
        entries.append(
            {
                "position": int(position),
                "css": css,
                "label": label,
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
            {"ok": False, "code": "invalid", "message": form.error_message()}, status=400
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
            "attempt_abandoned": 410,
        }.get(invalid.code, INVALID)
        return JsonResponse(
            {
                "ok": False,
                "code": invalid.code,
                "message": invalid.messages[0],
                "result_url": reverse("quiz:attempt_result", args=[attempt_id])
                if invalid.code != "attempt_abandoned"
                else reverse("quiz:history"),
            },
            status=status,
        )
    return JsonResponse(
        {
            "ok": True,
            "revision": item.revision,
            "answered": bool(item.selected),
            "state": item.state,
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
    if attempt.is_open and not attempt.is_overdue(now):
        # The screen's heartbeat: which item it shows (the server times it, see record_presence).
        shown = optional_int(request.GET, "position")
        if shown is not None and not 1 <= shown <= attempt.item_count:
            shown = None
        record_presence(attempt=attempt, position=shown, now=now)
    clock = {
        "seconds_left": attempt.seconds_left(now) if attempt.is_open else 0,
        "finished": not attempt.is_open or attempt.is_overdue(now),
    }
    if not attempt.is_open:
        # Submitted or abandoned elsewhere (another tab or device): the screen goes there
        # instead of submitting (an abandoned mock is never submitted).
        clock["ended_url"] = attempt.get_absolute_url()
    return JsonResponse(clock)


@login_required
@never_cache
@require_GET
def attempt_review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The review screen: every item's state in a grid, the ways to step through a subset
    (all, incomplete, flagged), and the way to end the exam (with a confirmation)."""
    attempt = _open_attempt(request, attempt_id)
    if response := _finished_redirect(request, attempt):
        return response
    record_presence(attempt=attempt, position=None, now=timezone.now())
    show = request.GET.get("show", "all")
    if show not in REVIEW_FILTERS:
        show = "all"
    rows = [
        {"position": position, "state": item_state(selected, choose), "flagged": flagged}
        for position, selected, choose, flagged in AttemptItem.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list("position", "selected", "choose", "flagged")
    ]
    counts = {state: sum(r["state"] == state for r in rows) for state in ItemState.values}
    subsets = []
    for key, label in REVIEW_SUBSETS.items():
        members = [r["position"] for r in rows if in_review_subset(key, **_row_state(r))]
        subsets.append(
            {
                "key": key,
                "label": label,
                "first": members[0] if members else None,
                "count": len(members),
            }
        )
    keep = {
        "all": lambda r: True,
        "unanswered": lambda r: r["state"] == ItemState.UNANSWERED,
        "incomplete": lambda r: r["state"] == ItemState.INCOMPLETE,
        "flagged": lambda r: r["flagged"],
    }[show]
    context = {
        "attempt": attempt,
        "rows": [r for r in rows if keep(r)],
        "filters": REVIEW_FILTERS,
        "show": show,
        "subsets": subsets,
        "unanswered": counts[ItemState.UNANSWERED],
        "incomplete": counts[ItemState.INCOMPLETE],
        "answered": counts[ItemState.ANSWERED],
        "flagged": sum(r["flagged"] for r in rows),
        "count": len(rows),
        "seconds_left": attempt.seconds_left(timezone.now()),
        # "1" asks to confirm submitting, "abandon" to confirm abandoning.
        "confirm": request.GET.get("confirm") == "1",
        "confirm_abandon": request.GET.get("confirm") == "abandon",
    }
    return TemplateResponse(request, "quiz/attempt_review.html", context)


def _row_state(row: dict) -> dict:
    return {"state": row["state"], "flagged": row["flagged"]}


@login_required
@require_POST
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _open_attempt(request, attempt_id)
    now = timezone.now()
    if attempt.is_open:
        record_presence(attempt=attempt, position=None, now=now)
    attempt = finish_attempt(attempt=attempt, now=now)
    return redirect(attempt.get_absolute_url())


@login_required
@require_POST
def attempt_abandon(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Abandon the mock (the review screen asks first): not scored, its answers kept."""
    attempt = _open_attempt(request, attempt_id)
    now = timezone.now()
    if attempt.is_open:
        record_presence(attempt=attempt, position=None, now=now)
    try:
        abandon_attempt(attempt=attempt, now=now)
    except ValidationError as refused:
        messages.info(request, refused.messages[0])
        attempt.refresh_from_db()
        return redirect(attempt.get_absolute_url())
    messages.success(
        request,
        f"Your {attempt.blueprint.code} {attempt.short_label} was abandoned: it was not "
        "scored and does not count in your scores or readiness. Your answers are kept.",
    )
    return redirect(attempt.history_url())
