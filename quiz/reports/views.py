"""Candidates report questions, follow their reports, and read (and dismiss) regrade notices."""

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
from django.views.decorators.http import require_GET, require_POST

from quiz.http import next_url
from quiz.models import QuestionReport, QuestionVersion, RegradeNotice
from quiz.reports.forms import ReportForm
from quiz.reports.services import report_question


def _back(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(next_url(request, default=reverse("quiz:my_reports")))


@login_required
@require_POST
def question_report(request: HttpRequest, version_id: int) -> HttpResponse:
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what is wrong with the question.")
        return _back(request)
    try:
        report_question(
            user=request.user,
            version_id=version_id,
            reason=form.cleaned_data["reason"],
            text=form.cleaned_data["text"],
            now=timezone.now(),
        )
    except QuestionVersion.DoesNotExist:
        raise Http404("No such question.") from None
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, "Thank you: your report was sent to the authors.")
    return _back(request)


@login_required
@never_cache
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    reports = (
        QuestionReport.objects.for_user(request.user)
        .select_related("version__objective")
        .order_by("-created_at")
    )
    return TemplateResponse(request, "quiz/my_reports.html", {"reports": reports})


@login_required
@require_POST
def notice_dismiss(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(RegradeNotice.objects.unseen_by(request.user), pk=notice_id)
    notice.dismissed_at = timezone.now()
    notice.save(update_fields=["dismissed_at"])
    return redirect("home")
