"""Authoring: the question bank in Django's admin, with the bank's rules, preview and imports."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from quiz.bank.blueprint import weights_problems
from quiz.bank.coverage import bank_coverage
from quiz.bank.importers.files import import_files
from quiz.bank.pipeline import change_status
from quiz.bank.rules import MAX_FILE_BYTES, ChoiceData, QuestionData, question_problems
from quiz.http import parse_int
from quiz.models import (
    Blueprint,
    Choice,
    Domain,
    Objective,
    Question,
    QuestionStatusChange,
    QuestionVersion,
)

# The rules that need the options are reported on the options; the rest on the question's fields.
CHOICE_RULES = {
    "single_needs_one_correct",
    "single_needs_four_options",
    "multiple_needs_two_correct",
    "multiple_needs_five_options",
    "empty_option",
    "duplicate_option",
    "too_many_options",
    "too_long",
    "control_character",
}
# Rules about the question's own fields that name the field in their message.
QUESTION_FIELD_RULES = {"too_long", "control_character", "too_many_references"}
FIELD_OF_RULE = {
    "empty_stem": "stem",
    "typed_choose_hint": "stem",
    "unknown_format": "text_format",
    "bad_reference": "references",
    "missing_reference": "references",
    "unknown_type": "type",
}


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = (
            "external_id",
            "objective",
            "type",
            "status",
            "difficulty",
            "text_format",
            "stem",
            "explanation",
            "references",
        )
        widgets = {
            "stem": forms.Textarea(attrs={"rows": 6}),
            "explanation": forms.Textarea(attrs={"rows": 6}),
            "references": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text_format"].required = False  # Markdown unless said otherwise

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["text_format"] = cleaned.get("text_format") or Question.TextFormat.MARKDOWN
        content = QuestionData(
            type=cleaned.get("type", ""),
            stem=cleaned.get("stem", ""),
            choices=[],
            explanation=cleaned.get("explanation", ""),
            references=[
                line.strip()
                for line in (cleaned.get("references") or "").splitlines()
                if line.strip()
            ],
            text_format=cleaned["text_format"],
        )
        for problem in question_problems(content):
            field = FIELD_OF_RULE.get(problem.code)
            if field:
                self.add_error(field, ValidationError(problem.message, code=problem.code))
            elif problem.code in QUESTION_FIELD_RULES:
                self.add_error(None, ValidationError(problem.message, code=problem.code))
        return cleaned


class ChoiceFormSet(BaseInlineFormSet):
    """Checks the options against the bank's rules, using the question as submitted."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        choices = [
            ChoiceData(
                text=form.cleaned_data.get("text", ""),
                correct=bool(form.cleaned_data.get("is_correct")),
                rationale=form.cleaned_data.get("rationale", ""),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        question = self.instance
        problems = question_problems(
            QuestionData(
                type=question.type,
                stem="x",  # the question's own fields are the question form's to check
                choices=choices,
                text_format=question.text_format,
            )
        )
        errors = [
            ValidationError(problem.message, code=problem.code)
            for problem in problems
            if problem.code in CHOICE_RULES
        ]
        if errors:
            raise ValidationError(errors)


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    fields = ("order", "text", "is_correct", "rationale")
    extra = 0
    min_num = 4
    formfield_overrides = {
        Choice._meta.get_field("text").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 50})
        },
    }


class BlueprintFilter(admin.SimpleListFilter):
    title = "blueprint"
    parameter_name = "blueprint"

    def lookups(self, request, model_admin):
        return [(b.pk, b.code) for b in Blueprint.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            blueprint_id = parse_int(self.value(), name="blueprint")
            return queryset.filter(objective__domain__blueprint_id=blueprint_id)
        return queryset


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    list_display = (
        "external_id",
        "short_stem",
        "objective_code",
        "type",
        "status",
        "version_number",
        "updated_at",
    )
    list_filter = (
        BlueprintFilter,
        "objective__domain",
        "objective",
        "type",
        "status",
        "difficulty",
    )
    list_select_related = ("objective__domain__blueprint", "current_version")
    search_fields = ("external_id", "stem", "choices__text")
    search_help_text = "Searches ids, stems and option texts."
    readonly_fields = ("author", "created_at", "updated_at", "version_info")
    actions = ["publish", "mark_pretest", "retire"]
    list_per_page = 50
    save_on_top = True

    @admin.display(description="Stem")
    def short_stem(self, question: Question) -> str:
        return Truncator(question.stem).chars(90)

    @admin.display(description="Objective", ordering="objective__code")
    def objective_code(self, question: Question) -> str:
        return question.objective.code

    @admin.display(description="Version")
    def version_number(self, question: Question) -> str:
        return f"v{question.current_version.number}" if question.current_version else "—"

    @admin.display(description="Served version")
    def version_info(self, question: Question) -> str:
        if not question.pk or not question.current_version_id:
            return "Saved questions get a version that attempts serve."
        return format_html(
            'v{} · <a href="{}">Preview as a candidate sees it</a>',
            question.current_version.number,
            reverse("admin:quiz_question_preview", args=[question.pk]),
        )

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("objective__domain__blueprint", "current_version", "author")
        )

    def save_model(self, request, obj: Question, form, change: bool) -> None:
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        if not change or "status" in form.changed_data:
            QuestionStatusChange.objects.create(
                question=obj,
                from_status=form.initial.get("status", "") if change else "",
                to_status=obj.status,
                changed_by=request.user,
                changed_at=timezone.now(),
                note="Edited in the admin.",
            )

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        question = form.instance
        before = question.current_version_id
        version = question.snapshot()
        if before and version.pk != before:
            messages.info(
                request,
                f"Saved as version {version.number}. Attempts that served an earlier "
                "version keep showing and scoring it.",
            )

    @admin.action(description="Publish selected questions", permissions=["change"])
    def publish(self, request, queryset) -> None:
        self._set_status(request, queryset, Question.Status.PUBLISHED)

    @admin.action(description="Mark selected as pretest (unscored)", permissions=["change"])
    def mark_pretest(self, request, queryset) -> None:
        self._set_status(request, queryset, Question.Status.PRETEST)

    @admin.action(description="Retire selected questions", permissions=["change"])
    def retire(self, request, queryset) -> None:
        self._set_status(request, queryset, Question.Status.RETIRED)

    def _set_status(self, request, queryset, status: str) -> None:
        # Only questions with a valid served version can be served, so only they may go live
        # (change_status skips the others). Each change is recorded with who made it.
        count = change_status(
            questions=queryset, to_status=status, by=request.user, now=timezone.now()
        )
        self.message_user(request, f"{count} question(s) set to {Question.Status(status).label}.")

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="quiz_question_preview",
            ),
            path(
                "coverage/",
                self.admin_site.admin_view(self.coverage_view),
                name="quiz_question_coverage",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="quiz_question_import",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        question = get_object_or_404(
            Question.objects.select_related("current_version", "objective__domain"), pk=pk
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview of {question.external_id}",
            "question": question,
            "version": question.current_version,
            "options": question.current_version.options_shown(reveal_key=True)
            if question.current_version
            else [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quiz/question/preview.html", context)

    def coverage_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Bank coverage",
            "blueprints": bank_coverage(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quiz/question/coverage.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        status = 200
        if request.method == "POST" and form.is_valid():
            report = import_files(
                [(f.name, f.read()) for f in form.cleaned_data["files"]],
                blueprint_code=form.cleaned_data["blueprint"].code,
                objective_code=form.cleaned_data["objective"],
                author=request.user,
                force=form.cleaned_data["force"],
            )
        if request.method == "POST" and (not form.is_valid() or not report.ok):
            status = 400  # nothing was written: the files, or the form, need fixing
        context = {
            **self.admin_site.each_context(request),
            "title": "Import questions",
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quiz/question/import.html", context, status=status)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(help_text="YAML (.yaml, .yml) or Moodle XML (.xml) files.")
    blueprint = forms.ModelChoiceField(
        Blueprint.objects.all(),
        help_text="For files that do not name one (Moodle XML).",
    )
    objective = forms.CharField(
        required=False,
        max_length=10,
        help_text="Objective code for Moodle questions whose category path does not name the "
        "blueprint and an objective (…/MLS-C01/1.2).",
    )
    force = forms.BooleanField(
        required=False,
        label="Replace questions changed in the app",
        help_text="Apply the files' versions even to questions edited, retired or published "
        "here since their file last wrote them (otherwise they are kept and listed).",
    )

    MAX_BYTES = MAX_FILE_BYTES

    def clean_files(self):
        files = self.cleaned_data["files"]
        for upload in files:
            if upload.size > self.MAX_BYTES:
                raise ValidationError(
                    "%(name)s is larger than 5 MB.",
                    code="file_too_large",
                    params={"name": upload.name},
                )
        return files


class DomainFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        weights = [
            form.cleaned_data["weight"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if weights:
            problems = weights_problems(self.instance.code, weights)
            if problems:
                raise ValidationError(problems)


class DomainInline(admin.TabularInline):
    model = Domain
    formset = DomainFormSet
    extra = 0


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(Blueprint)
class BlueprintAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "question_count",
        "duration_minutes",
        "pass_score",
        "status_note",
    )
    inlines = [DomainInline]
    # The status note's source is a web page: a bare host typed in gets https (Django 6's
    # default), and the form stops warning about the change.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("__str__", "blueprint", "weight")
    list_filter = ("blueprint",)
    inlines = [ObjectiveInline]


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    """Versions are read-only: what an attempt served is never edited."""

    list_display = ("question", "number", "type", "created_at")
    list_select_related = ("question",)
    search_fields = ("question__external_id",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
