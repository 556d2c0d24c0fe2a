"""Authoring: the question bank in Django's admin, with the bank's rules, preview and imports."""

from __future__ import annotations

import random

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count
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
from quiz.bank.rules import (
    MAX_FILE_BYTES,
    OPTION_LETTERS,
    CaseData,
    ChoiceData,
    QuestionData,
    case_problems,
    question_problems,
)
from quiz.http import parse_int
from quiz.models import (
    Blueprint,
    CaseStudy,
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
    # Ordering and matching (issue #19): steps and prompts are the inline's rows.
    "ordering_step_count",
    "ordering_marks_correct",
    "matching_prompt_count",
    "matching_marks_correct",
    "missing_match",
    "unknown_match",
    "match_not_allowed",
    "matching_needs_responses",
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
    "responses_not_allowed": "responses",
    "duplicate_response": "responses",
    "empty_response": "responses",
    "multiline_response": "responses",
    "too_many_responses": "responses",
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
            "responses",
            "explanation",
            "references",
        )
        widgets = {
            "stem": forms.Textarea(attrs={"rows": 6}),
            "responses": forms.Textarea(attrs={"rows": 5}),
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
            responses=response_lines(cleaned.get("responses") or ""),
        )
        for problem in question_problems(content):
            field = FIELD_OF_RULE.get(problem.code)
            if field:
                self.add_error(field, ValidationError(problem.message, code=problem.code))
            elif problem.code in QUESTION_FIELD_RULES:
                self.add_error(None, ValidationError(problem.message, code=problem.code))
        return cleaned


def response_lines(text: str) -> list[str]:
    """A matching question's responses as authored in the admin: one per non-blank line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class ChoiceFormSet(BaseInlineFormSet):
    """Checks the options (steps, prompts) against the bank's rules, using the question as
    submitted."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        choices = [
            ChoiceData(
                text=form.cleaned_data.get("text", ""),
                correct=bool(form.cleaned_data.get("is_correct")),
                rationale=form.cleaned_data.get("rationale", ""),
                match=(form.cleaned_data.get("match") or "").strip(),
            )
            # Rows in their order (the order column): an ordering question's key.
            for form in sorted(
                (f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")),
                key=lambda f: f.cleaned_data.get("order") or 0,
            )
        ]
        question = self.instance
        problems = question_problems(
            QuestionData(
                type=question.type,
                stem="x",  # the question's own fields are the question form's to check
                choices=choices,
                text_format=question.text_format,
                responses=response_lines(question.responses or ""),
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
    """Options; for an ordering question its steps, in the right order (the order column),
    none marked correct; for a matching question its prompts, each naming its match."""

    model = Choice
    formset = ChoiceFormSet
    fields = ("order", "text", "is_correct", "match", "rationale")
    verbose_name = "option, step or prompt"
    verbose_name_plural = (
        "options (single/multiple) · steps in the right order (ordering) · prompts with their "
        "match (matching)"
    )
    extra = 0
    # The fewest rows any type has (3 steps or prompts); the rules ask more of each type.
    min_num = 3
    # Narrow fields: five columns must fit the change form at 1366 px without scrolling sideways.
    formfield_overrides = {
        Choice._meta.get_field("text").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 30})
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
        version = question.current_version
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview of {question.external_id}",
            "question": question,
            "version": version,
            "options": version.options_shown(reveal_key=True) if version else [],
            "sequence": sequence_preview(version) if version else None,
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


def sequence_preview(version: QuestionVersion) -> dict | None:
    """What a candidate sees of an ordering or matching version, and its key, for the preview:
    ordering, the steps (shown shuffled on the exam) and the right order; matching, each
    prompt with the list of responses it picks from, and each prompt's match."""
    # Shown in a shuffled order, as on the exam (fixed per version, so the page is stable); an
    # ordering question is never shown already in order. A display order, not a secret: B311.
    shown = list(range(len(version.choices)))
    random.Random(version.pk).shuffle(shown)  # nosec B311
    if shown == sorted(shown):
        shown = shown[1:] + shown[:1]
    if version.type == Question.Type.ORDERING:
        return {
            "steps": [version.choices[i]["html"] for i in shown],
            "positions": range(1, len(version.choices) + 1),
            "key": [
                {"html": choice["html"], "rationale_html": choice["rationale_html"]}
                for choice in version.choices
            ],
        }
    if version.type == Question.Type.MATCHING:
        responses = [response["html"] for response in version.responses]
        prompts = [
            {
                "letter": OPTION_LETTERS[position],
                "html": version.choices[original]["html"],
                "match_html": responses[version.choices[original]["match"]],
                "rationale_html": version.choices[original]["rationale_html"],
            }
            for position, original in enumerate(shown)
        ]
        return {"prompts": prompts, "responses": responses}
    return None


class CaseStudyAdminForm(forms.ModelForm):
    """A case study with its questions, by id and in the order they are asked; checked with
    the bank's case rules (``quiz.bank.rules.case_problems``), each error with its code."""

    question_ids = forms.CharField(
        label="Questions",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The ids of the case's questions, one per line, in the order they are asked "
        "(at least 3, all of the case's blueprint, none in another case).",
    )

    class Meta:
        model = CaseStudy
        fields = ("external_id", "blueprint", "title", "text_format", "scenario")
        widgets = {"scenario": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text_format"].required = False
        if self.instance.pk:
            self.fields["question_ids"].initial = "\n".join(
                self.instance.questions.order_by("case_position").values_list(
                    "external_id", flat=True
                )
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["text_format"] = cleaned.get("text_format") or Question.TextFormat.MARKDOWN
        ids = [line.strip() for line in (cleaned.get("question_ids") or "").splitlines()]
        cleaned["question_ids"] = ids = [i for i in ids if i]
        content = CaseData(
            external_id=cleaned.get("external_id") or self.instance.external_id or "",
            title=cleaned.get("title") or "",
            scenario=cleaned.get("scenario") or "",
            question_ids=ids,
            text_format=cleaned["text_format"],
        )
        for problem in case_problems(content):
            self.add_error(
                CASE_FIELD_OF_RULE.get(problem.code),
                ValidationError(problem.message, code=problem.code),
            )
        blueprint = cleaned.get("blueprint")
        found = {
            q.external_id: q
            for q in Question.objects.filter(external_id__in=ids).select_related(
                "objective__domain__blueprint", "case"
            )
        }
        for external_id in dict.fromkeys(ids):
            question = found.get(external_id)
            if question is None:
                problem = ("unknown_case_question", f"There is no question {external_id}.")
            elif blueprint and question.objective.domain.blueprint_id != blueprint.pk:
                problem = (
                    "case_mixed_blueprints",
                    f"Question {external_id} belongs to "
                    f"{question.objective.domain.blueprint.code}, not {blueprint.code}.",
                )
            elif question.case_id is not None and question.case_id != self.instance.pk:
                problem = (
                    "question_in_two_cases",
                    f"Question {external_id} already belongs to case "
                    f"{question.case.external_id}; a question belongs to at most one case.",
                )
            else:
                continue
            self.add_error("question_ids", ValidationError(problem[1], code=problem[0]))
        return cleaned


# The case rules and the form fields they are shown on (None: above the form).
CASE_FIELD_OF_RULE = {
    "bad_id": "external_id",
    "empty_case_title": "title",
    "multiline_title": "title",
    "empty_scenario": "scenario",
    "unknown_format": "text_format",
    "case_needs_three_questions": "question_ids",
    "duplicate_case_question": "question_ids",
}


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    form = CaseStudyAdminForm
    list_display = ("external_id", "title", "blueprint", "question_count", "updated_at")
    list_filter = ("blueprint",)
    search_fields = ("external_id", "title", "scenario")
    readonly_fields = ("preview_link",)

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("blueprint")
            .annotate(question_total=Count("questions"))
        )

    @admin.display(description="Questions", ordering="question_total")
    def question_count(self, case: CaseStudy) -> int:
        return case.question_total

    @admin.display(description="Served version")
    def preview_link(self, case: CaseStudy) -> str:
        if not case.pk:
            return "Saved case studies get a version that attempts serve."
        return format_html(
            '<a href="{}">Preview as a candidate sees it</a>',
            reverse("admin:quiz_casestudy_preview", args=[case.pk]),
        )

    @transaction.atomic
    def save_model(self, request, obj: CaseStudy, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        ids = form.cleaned_data["question_ids"]
        before = list(obj.questions.exclude(external_id__in=ids))
        # Clear first: positions are unique within a case, so they cannot move in place.
        obj.questions.update(case=None, case_position=None)
        members = {q.external_id: q for q in Question.objects.filter(external_id__in=ids)}
        for position, external_id in enumerate(ids, start=1):
            Question.objects.filter(pk=members[external_id].pk).update(
                case=obj, case_position=position
            )
        # A question served with a scenario gets a new version when it leaves the case.
        for question in before:
            question.refresh_from_db()
            question.snapshot()
        obj.snapshot()

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="quiz_casestudy_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        case = get_object_or_404(CaseStudy.objects.select_related("current_version"), pk=pk)
        questions = case.questions.select_related("current_version", "objective").order_by(
            "case_position"
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview of {case.external_id}",
            "case": case,
            "items": [
                {
                    "question": q,
                    "version": q.current_version,
                    "options": q.current_version.options_shown(reveal_key=True),
                    "sequence": sequence_preview(q.current_version),
                }
                for q in questions
                if q.current_version
            ],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quiz/casestudy/preview.html", context)


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
