"""Authors' side: the triage queue of reports (grouped by question, figures beside them) and
regrades (a form, a preview of the effect, then the run)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from quiz.exam.regrade import preview
from quiz.models import ItemStatistics, QuestionReport, QuestionVersion, Regrade
from quiz.reports.services import resume_regrade, start_regrade, triage


class TriageForm(forms.Form):
    state = forms.ChoiceField(choices=QuestionReport.State.choices)
    reply = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))


class RegradeForm(forms.Form):
    kind = forms.ChoiceField(choices=Regrade.Kind.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


@admin.register(QuestionReport)
class QuestionReportAdmin(admin.ModelAdmin):
    list_display = ("question", "reason", "state", "user", "created_at", "handled_by")
    list_filter = ("state", "reason")
    list_select_related = ("question", "user", "handled_by")
    search_fields = ("question__external_id", "text")
    readonly_fields = ("user", "question", "version", "reason", "text", "created_at")
    fields = (*readonly_fields, "state", "reply", "handled_by", "handled_at")

    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "triage/",
                self.admin_site.admin_view(self.triage_view),
                name="quiz_questionreport_triage",
            ),
            *super().get_urls(),
        ]

    def triage_view(self, request: HttpRequest) -> HttpResponse:
        """Open reports grouped by question, with the item's figures; POST moves one report."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            report = get_object_or_404(QuestionReport, pk=request.POST.get("report", 0))
            form = TriageForm(request.POST)
            if form.is_valid():
                try:
                    triage(
                        report=report,
                        state=form.cleaned_data["state"],
                        reply=form.cleaned_data["reply"],
                        by=request.user,
                        now=timezone.now(),
                    )
                except ValidationError as refused:
                    messages.error(request, refused.messages[0])
                else:
                    messages.success(request, f"Report {report.pk}: {report.get_state_display()}.")
            return HttpResponseRedirect(reverse("admin:quiz_questionreport_triage"))
        reports = list(
            QuestionReport.objects.open()
            .select_related("question__current_version", "version", "user")
            .order_by("question__external_id", "created_at")
        )
        statistics = {
            s.version_id: s
            for s in ItemStatistics.objects.filter(
                version_id__in={r.question.current_version_id for r in reports}
                | {r.version_id for r in reports}
            )
        }
        groups: dict[int, dict] = {}
        for report in reports:
            group = groups.setdefault(
                report.question_id,
                {
                    "question": report.question,
                    "statistics": statistics.get(report.version_id),
                    "reports": [],
                },
            )
            group["reports"].append((report, TriageForm(initial={"state": report.state})))
        context = {
            **self.admin_site.each_context(request),
            "title": "Report triage",
            "groups": list(groups.values()),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quiz/questionreport/triage.html", context)


@admin.register(Regrade)
class RegradeAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "kind",
        "status",
        "processed",
        "total",
        "score_changes",
        "now_passing",
        "now_failing",
        "progress",
        "created_by",
        "created_at",
    )
    list_filter = ("kind", "status")
    list_select_related = ("version__question", "created_by")

    def has_add_permission(self, request) -> bool:
        return False  # through "Regrade…" on a version (new_view): it previews first

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if settings.TASK_QUEUE:  # each row's job status, in the list's one query
            queryset = queryset.annotate(
                job_status=Subquery(_jobs().filter(pk=OuterRef("job_id")).values("status")[:1])
            )
        return queryset

    @admin.display(description="Progress")
    def progress(self, regrade: Regrade) -> str:
        done, total = regrade.batches
        failed = getattr(regrade, "job_status", None) == "failed"
        label = "job failed" if failed else f"{done}/{total} batches"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:quiz_regrade_progress", args=[regrade.pk]), label
        )

    def get_urls(self):
        return [
            path(
                "new/<int:version_id>/",
                self.admin_site.admin_view(self.new_view),
                name="quiz_regrade_new",
            ),
            path(
                "<int:regrade_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="quiz_regrade_progress",
            ),
            path(
                "<int:regrade_id>/resume/",
                self.admin_site.admin_view(require_POST(self.resume_view)),
                name="quiz_regrade_resume",
            ),
            *super().get_urls(),
        ]

    def new_view(self, request: HttpRequest, version_id: int) -> HttpResponse:
        """Choose the kind, see the effect (attempts, scores, passes gained and lost), confirm.

        Confirming hands the regrade to the background queue and shows its progress page."""
        if not request.user.has_perm("quiz.add_regrade"):
            raise PermissionDenied
        version = get_object_or_404(
            QuestionVersion.objects.select_related("question__current_version"), pk=version_id
        )
        form = RegradeForm(request.POST or None)
        effect = error = None
        if request.method == "POST" and form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                if "confirm" in request.POST:
                    regrade = start_regrade(
                        version=version,
                        kind=kind,
                        by=request.user,
                        now=timezone.now(),
                        note=form.cleaned_data["note"],
                    )
                    return HttpResponseRedirect(
                        reverse("admin:quiz_regrade_progress", args=[regrade.pk])
                    )
                effect = preview(version=version, kind=kind)
            except ValidationError as refused:
                error = refused.messages[0]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Regrade {version.question.external_id} v{version.number}",
            "version": version,
            "current": version.question.current_version,
            "form": form,
            "effect": effect,
            "error": error,
            "opts": self.model._meta,
        }
        status = 422 if error else 200
        return TemplateResponse(request, "admin/quiz/regrade/new.html", context, status=status)

    def progress_view(self, request: HttpRequest, regrade_id: int) -> HttpResponse:
        """Batches done of the regrade's run, its effect once done, and its job's state; htmx
        polls the ``regrade-progress`` fragment while it runs (without JS the page reloads)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        regrade = get_object_or_404(
            Regrade.objects.select_related("version__question", "created_by"), pk=regrade_id
        )
        done, total = regrade.batches
        job = _job_state(regrade)
        failed = job is not None and job["status"] == "failed"
        context = {
            **self.admin_site.each_context(request),
            "title": f"Regrade of {regrade.version.question.external_id} v{regrade.version.number}",
            "regrade": regrade,
            "batches_done": done,
            "batches_total": total,
            "job": job,
            "failed": failed,
            "running": regrade.status != Regrade.Status.DONE and not failed,
            "can_resume": failed and request.user.has_perm("quiz.add_regrade"),
            "opts": self.model._meta,
        }
        template = "admin/quiz/regrade/progress.html"
        if getattr(request, "htmx", False):
            template += "#regrade-progress"
        return TemplateResponse(request, template, context)

    def resume_view(self, request: HttpRequest, regrade_id: int) -> HttpResponse:
        if not request.user.has_perm("quiz.add_regrade"):
            raise PermissionDenied
        get_object_or_404(Regrade, pk=regrade_id)
        try:
            resume_regrade(regrade_id=regrade_id)
        except ValidationError as refused:
            messages.error(request, refused.messages[0])
        else:
            messages.success(request, "The regrade is queued again: it resumes where it stopped.")
        return HttpResponseRedirect(reverse("admin:quiz_regrade_progress", args=[regrade_id]))


def _jobs():
    # Imported here: procrastinate's models exist only where the queue is installed (PostgreSQL).
    from procrastinate.contrib.django.models import ProcrastinateJob

    return ProcrastinateJob.objects.all()


def _job_state(regrade: Regrade) -> dict | None:
    """The regrade's job as the queue holds it (id, status, attempts), where there is a queue."""
    if not (settings.TASK_QUEUE and regrade.job_id):
        return None
    return _jobs().filter(pk=regrade.job_id).values("id", "status", "attempts").first()
