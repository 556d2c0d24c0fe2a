"""The admin's "Item analysis": one row per question with its figures, a detail page, CSV."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from quiz.bank import pipeline
from quiz.bank.rules import MATCHING, OPTION_LETTERS, ORDERING
from quiz.models import Blueprint, ItemStatistics, Question, QuestionStatusChange, StatsRefresh
from quiz.models.stats import FLAG_FIELDS
from quiz.stats.charts import option_chart
from quiz.stats.export import analysis_rows, as_csv, for_export
from quiz.stats.item_stats import FLAG_LABELS, THRESHOLDS
from quiz.stats.refresh import request_refresh


class BlueprintFilter(admin.SimpleListFilter):
    title = "blueprint"
    parameter_name = "blueprint"

    def lookups(self, request, model_admin):
        return [(b.code, b.code) for b in Blueprint.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(objective__domain__blueprint__code=self.value())
        return queryset


class FlagFilter(admin.SimpleListFilter):
    title = "flag"
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [*FLAG_LABELS.items(), ("any", "Any flag"), ("none", "No flag")]

    def queryset(self, request, queryset):
        value = self.value()
        if value in FLAG_FIELDS:
            return queryset.flagged(value)
        if value in ("any", "none"):
            any_flag = dict.fromkeys(FLAG_FIELDS.values(), True)
            condition = Q(_connector=Q.OR, **any_flag)
            return queryset.filter(condition) if value == "any" else queryset.exclude(condition)
        return queryset


class ReadyFilter(admin.SimpleListFilter):
    title = "pretest"
    parameter_name = "ready"

    def lookups(self, request, model_admin):
        return [("ready", "Ready to promote"), ("waiting", "Pretest, not ready")]

    def queryset(self, request, queryset):
        pretest = queryset.filter(question__status=Question.Status.PRETEST)
        ready = {"n__gte": THRESHOLDS.min_n, "key_suspect": False}
        if self.value() == "ready":
            return pretest.filter(**ready)
        if self.value() == "waiting":
            return pretest.exclude(**ready)
        return queryset


LIST_FIELDS = [
    f.attname
    for f in ItemStatistics._meta.concrete_fields
    if f.name not in ("options", "refreshed_at")
]


def _nulls_last(field: str):
    """Undefined figures sort after the defined ones (ascending) on every database; the
    admin reverses this for descending."""
    return F(field).asc(nulls_last=True)


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} s"


class SendBackForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Why it goes back to draft (kept in the question's history).",
    )


@admin.register(ItemStatistics)
class ItemStatisticsAdmin(admin.ModelAdmin):
    list_display = (
        "question_link",
        "version_number",
        "objective_code",
        "status",
        "n",
        "facility",
        "discrimination",
        "upper_lower_index",
        "median_time",
        "practice",
        "flag_list",
    )
    list_filter = (
        BlueprintFilter,
        "objective__domain",
        "objective",
        FlagFilter,
        ReadyFilter,
        "question__status",
    )
    list_select_related = ("question", "version", "objective")
    # The question column links to the item-analysis page; a second link per row to the
    # read-only change form would cost a reverse() per row for nothing.
    list_display_links = None
    search_fields = ("external_id",)
    list_per_page = 50
    # One COUNT, not two: the unfiltered total is not worth a second scan on every page.
    show_full_result_count = False
    ordering = ("external_id",)

    def get_queryset(self, request: HttpRequest):
        # Only the columns the list shows: a version's rendered HTML and JSON, or a question's
        # Markdown, would make the database sort wide rows (measured: 4× slower at 10,000).
        return (
            super()
            .get_queryset(request)
            .current()
            .only(
                *LIST_FIELDS,
                "question__external_id",
                "question__status",
                "question__current_version_id",
                "version__number",
                "objective__code",
            )
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Question", ordering="external_id")
    def question_link(self, row: ItemStatistics) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:quiz_itemstatistics_detail", args=[row.question_id]),
            row.external_id,
        )

    @admin.display(description="Version", ordering="version__number")
    def version_number(self, row: ItemStatistics) -> str:
        return f"v{row.version.number}"

    @admin.display(description="Objective", ordering="objective__code")
    def objective_code(self, row: ItemStatistics) -> str:
        return row.objective.code

    @admin.display(description="Status", ordering="question__status")
    def status(self, row: ItemStatistics) -> str:
        if row.question.status == Question.Status.PRETEST:
            return "pretest · ready" if row.is_ready else "pretest"
        return row.question.status

    @admin.display(description="p", ordering=_nulls_last("p"))
    def facility(self, row: ItemStatistics) -> str:
        return _figure(row.p)

    @admin.display(description="r (pt-bis)", ordering=_nulls_last("point_biserial"))
    def discrimination(self, row: ItemStatistics) -> str:
        return _figure(row.point_biserial)

    @admin.display(description="D (27%)", ordering=_nulls_last("upper_lower"))
    def upper_lower_index(self, row: ItemStatistics) -> str:
        return _figure(row.upper_lower)

    @admin.display(description="Median time", ordering=_nulls_last("median_seconds"))
    def median_time(self, row: ItemStatistics) -> str:
        return _seconds(row.median_seconds)

    @admin.display(description="Practice n / p", ordering="practice_n")
    def practice(self, row: ItemStatistics) -> str:
        return f"{row.practice_n} / {_figure(row.practice_p)}"

    @admin.display(description="Flags")
    def flag_list(self, row: ItemStatistics) -> str:
        return ", ".join(row.flag_labels) or "—"

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "last_refresh": StatsRefresh.objects.filter(finished_at__isnull=False).first(),
            "running_refresh": StatsRefresh.objects.running(now=timezone.now()).first(),
            "thresholds": THRESHOLDS,
            "can_refresh": request.user.has_perm("quiz.change_question"),
        }
        return super().changelist_view(request, extra_context)

    def refresh_view(self, request: HttpRequest) -> HttpResponse:
        """Ask the background queue for a refresh now (the schedule runs one every hour)."""
        if not request.user.has_perm("quiz.change_question"):
            raise PermissionDenied
        if request_refresh():
            messages.success(
                request,
                "A refresh of the figures is queued; this page shows the new time once it ends."
                if settings.TASK_QUEUE
                else "The figures are refreshed.",
            )
        else:
            messages.info(request, "A refresh is already waiting in the queue.")
        return HttpResponseRedirect(reverse("admin:quiz_itemstatistics_changelist"))

    def get_urls(self):
        return [
            path(
                "csv/",
                self.admin_site.admin_view(self.csv_view),
                name="quiz_itemstatistics_csv",
            ),
            path(
                "refresh/",
                self.admin_site.admin_view(require_POST(self.refresh_view)),
                name="quiz_itemstatistics_refresh",
            ),
            path(
                "question/<int:question_id>/",
                self.admin_site.admin_view(self.detail_view),
                name="quiz_itemstatistics_detail",
            ),
            path(
                "question/<int:question_id>/promote/",
                self.admin_site.admin_view(require_POST(self.promote_view)),
                name="quiz_itemstatistics_promote",
            ),
            path(
                "question/<int:question_id>/send-back/",
                self.admin_site.admin_view(require_POST(self.send_back_view)),
                name="quiz_itemstatistics_send_back",
            ),
            *super().get_urls(),
        ]

    def csv_view(self, request: HttpRequest) -> HttpResponse:
        """The list as filtered and sorted on screen, every page of it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        rows = analysis_rows(for_export(changelist.get_queryset(request)))
        response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="item-analysis.csv"'
        return response

    def detail_view(self, request: HttpRequest, question_id: int, form=None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        question = get_object_or_404(
            Question.objects.select_related("current_version", "objective__domain__blueprint"),
            pk=question_id,
        )
        versions = list(
            ItemStatistics.objects.filter(question=question)
            .select_related("version")
            .order_by("-version__number")
        )
        current = next((s for s in versions if s.version_id == question.current_version_id), None)
        options = _option_rows(current.version, current.options) if current is not None else []
        kind = current.version.type if current is not None else ""
        context = {
            **self.admin_site.each_context(request),
            "title": f"Item analysis: {question.external_id}",
            "question": question,
            "current": current,
            "versions": versions,
            "options": options,
            "kind": kind,
            # A matching table has a row per (prompt, response): too many bars for a chart.
            "chart": option_chart(current.options)
            if current and current.n and kind != MATCHING
            else None,
            "ready": pipeline.is_ready(question, current),
            "history": QuestionStatusChange.objects.filter(question=question).select_related(
                "changed_by"
            ),
            "send_back_form": form or SendBackForm(),
            "can_change": request.user.has_perm("quiz.change_question"),
            "thresholds": THRESHOLDS,
            "last_refresh": StatsRefresh.objects.filter(finished_at__isnull=False).first(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quiz/itemstatistics/detail.html", context)

    def _changeable_question(self, request: HttpRequest, question_id: int) -> Question:
        if not request.user.has_perm("quiz.change_question"):
            raise PermissionDenied
        return get_object_or_404(Question, pk=question_id)

    def promote_view(self, request: HttpRequest, question_id: int) -> HttpResponse:
        question = self._changeable_question(request, question_id)
        try:
            pipeline.promote(question=question, by=request.user, now=timezone.now())
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"{question.external_id} is now published (scored).")
        return HttpResponseRedirect(reverse("admin:quiz_itemstatistics_detail", args=[question.pk]))

    def send_back_view(self, request: HttpRequest, question_id: int) -> HttpResponse:
        question = self._changeable_question(request, question_id)
        form = SendBackForm(request.POST)
        if form.is_valid():
            try:
                pipeline.send_back(
                    question=question,
                    by=request.user,
                    now=timezone.now(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, f"{question.external_id} is back to draft.")
                return HttpResponseRedirect(
                    reverse("admin:quiz_itemstatistics_detail", args=[question.pk])
                )
        response = self.detail_view(request, question_id, form=form)
        response.status_code = 422
        return response


def _option_rows(version, rows: list[dict]) -> list[dict]:
    """The stored option table with what the page shows beside each row: the option's letter
    and text; for ordering the step's right position; for matching the prompt's letter and
    the response's text (``quiz.stats.item_stats.option_rows`` says what each row counts)."""
    choices, responses = version.choices, version.responses
    shown = []
    for row in rows:
        extra = {"letter": OPTION_LETTERS[row["index"]], "html": choices[row["index"]]["html"]}
        if version.type == ORDERING:
            extra["letter"] = f"Step {row['index'] + 1}"
        if version.type == MATCHING and row.get("response") is not None:
            extra["response_html"] = responses[row["response"]]["html"]
            extra["first_of_prompt"] = row["response"] == 0
        shown.append({**row, **extra})
    return shown
