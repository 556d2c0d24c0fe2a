"""The hostile-input sweep: every URL pattern of the URLconf, filled with hostile values.

For each pattern (the admin's and the accounts' included) and each kind of visitor that reaches
it (anonymous; a candidate with a finished mock, practice sessions, bookmarks, a report and a
regrade notice; a candidate in the middle of a mock; a superuser in the admin), the sweep

1. fills the path arguments with real ids and codes of that visitor's world, and requests the
   page once to learn what it reads: every query or form key the view asks its ``QueryDict``
   for (recorded as it runs), the fields of the page's own form, and the query keys of the
   page's links (the admin's filters, ordering and search);
2. puts each hostile value in each path argument;
3. puts each hostile value in every query key and every form field at once (plain, and htmx
   for a few);
4. puts each of the sharpest values in one key at a time, a form field with the others as the
   page's form sends them (an admin action's ``_selected_action`` is read only once the action
   is valid); for the admin's model-form fields step 3 suffices, since a form validates its
   fields independently, and one key at a time covers the admin's own keys and filters.

The admin's hundred patterns share Django's generic views and take a shorter list of values
(every kind, not every spelling), and a page that only sends an anonymous visitor to log in
takes the sharpest ones: that keeps the sweep to about a minute of CPU on SQLite.

Every response must be below 500, and a refused request (4xx) must change nothing: the row
count of every table and a checksum of every row a request could touch are compared with the
world's. Each request runs in a savepoint that is rolled back, so every request sees the same
world, and a request the view accepts (a 2xx or 3xx: a mock started with an ignored field, a
display name in a script of its own) does not leak into the next one.

A pattern whose path arguments the sweep cannot fill, or a view answering only POST whose form
it does not know (``POST_ONLY``), fails that pattern's test with what to add: new views are
covered, or the sweep says why not.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, transaction
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from quiz.exam.services import Answer, finish_attempt, save_answer, start_attempt
from quiz.models import (
    AttemptItem,
    PracticeItem,
    Question,
    QuestionReport,
    QuestionVersion,
    Regrade,
    RegradeNotice,
)
from quiz.practice.services import answer_practice, start_practice, toggle_bookmark
from tests.factories import UserFactory, small_blueprint

# ---------------------------------------------------------------- The hostile values


class Raw(str):
    """A value sent as written, percent-escapes and all: bytes no UTF-8 decoder accepts."""


class Many(tuple):
    """A key sent several times where the view expects one value."""


class Upload:
    """A file where the view expects text."""

    def __repr__(self) -> str:
        return "Upload()"


HOSTILE: dict[str, object] = {
    # Digits: "²" passes str.isdigit() but not int(); "٣" and "𝟎" (outside the BMP) pass both;
    # "Ⅻ½" passes str.isnumeric() only. None of them is a database id.
    "superscript-two": "²",
    "arabic-indic-three": "٣",
    "fullwidth-five": "５",
    "math-bold-zero": "𝟎",
    "numeric-letters-fractions": "Ⅻ½",
    # Letters, marks, punctuation, symbols, separators, format and unassigned code points.
    "letters": "Aaǅʰあß",  # Lu Ll Lt Lm Lo, and a letter whose upper case is two letters
    "marks-punctuation-symbols": "e\u0301\u0903\u20dd‽«€+🙂",  # Mn Mc Me Po Pi Sc Sm So
    "separators-format-private-unassigned": "\u00a0\u2028\u2029\u200b\u202e\ue000\u0378",
    # NUL and other controls (C0, DEL, C1), alone and after a digit.
    "nul": "\x00",
    "digit-nul": "1\x00",
    "controls": "\x01\x08\x1b\x7f\x85\x9b",
    "digit-newline": "7\n",
    "header-injection": "/\r\nSet-Cookie: sessionid=x",
    # Overlong.
    "overlong-digits": "9" * 10_000,
    "overlong-letters": "é" * 10_000,
    # Huge, negative and odd numbers.
    "huge": "99999999999999999999",
    "int64-plus-one": "9223372036854775808",
    "minus-one": "-1",
    "int64-minus-two": "-9223372036854775809",
    "zero": "0",
    "float": "1.5",
    "overflowing-float": "1e309",
    "padded-signed": " +1 ",
    "underscored": "1_0",
    # Wrong types and nothing.
    "json": '{"id": [1]}',
    "null": "null",
    "several": Many(("1", "²")),
    "file": Upload(),
    "empty": "",
    # Bytes that do not decode.
    "undecodable": Raw("%ff"),
    "overlong-utf8-surrogate": Raw("%c0%af%ed%a0%80"),
}
# What goes in one key at a time, and in htmx requests: the values that broke views before.
# (NUL and the other controls are refused by the middleware before any view reads a key, so
# they are sent once per URL, in every key at once.)
SHARP = ["superscript-two", "arabic-indic-three", "huge", "several", "empty", "undecodable"]
# A path segment holds text only.
PATH_VALUES = [name for name, value in HOSTILE.items() if isinstance(value, str)]
SHARP_PATH_VALUES = [name for name in SHARP if name in PATH_VALUES]
# Sent again as htmx requests (views that answer htmx with a fragment read the same keys).
HTMX = ["superscript-two", "huge", "undecodable"]
# The admin's hundred patterns share Django's generic views (one ``get_object``, one form
# machinery) and take fewer of the numeric variants: every kind of value, not every spelling.
ADMIN_VALUES = [
    *SHARP,
    "letters",
    "marks-punctuation-symbols",
    "separators-format-private-unassigned",
    "nul",
    "controls",
    "overlong-letters",
    "minus-one",
    "json",
    "file",
    "overlong-utf8-surrogate",
]
ADMIN_PATH_VALUES = [name for name in ADMIN_VALUES if name in PATH_VALUES]
# One admin key at a time: "٣" and "1,²" read like "3" and "1" to the admin's int() as to ours.
ADMIN_SHARP = ["superscript-two", "huge", "empty", "undecodable"]


# ---------------------------------------------------------------- The URLconf


@dataclass(frozen=True)
class Pattern:
    route: str  # "attempts/<id:attempt_id>/review/"
    name: str  # "quiz:attempt_review"
    args: tuple[str, ...]  # path arguments, in order
    admin: bool


def url_patterns() -> list[Pattern]:
    """Every pattern of the URLconf, with its full route, as the resolver holds them."""

    def walk(resolver, prefix: str, namespace: str) -> Iterator[Pattern]:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, route, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                args = tuple(entry.pattern.regex.groupindex)
                name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
                yield Pattern(route, name, args, admin=namespace == "admin")

    return list(walk(get_resolver(), "", ""))


def route_url(route: str, values: dict[str, str]) -> str:
    """The path of ``route`` with its arguments replaced by ``values`` (already escaped)."""
    route = route.replace("^", "").replace("$", "")

    def argument(match: re.Match) -> str:
        return values[match.group("name")]

    route = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", argument, route)
    route = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", argument, route)
    return "/" + route


def actors(pattern: Pattern) -> tuple[str, ...]:
    """Who visits a pattern: the admin's, a superuser; the rest, an anonymous visitor and a
    candidate, and the quiz's also a candidate in a running mock (the mock changes what the
    quiz's views do: the exam's read their fields, practice and reviews pause)."""
    if pattern.admin:
        return ("superuser",)
    if pattern.name.startswith("quiz:"):
        return ("anonymous", "candidate", "mock_candidate")
    return ("anonymous", "candidate")


# Views that answer only POST, and what their form sends (from the page the form is on).
POST_ONLY = {
    "quiz:attempt_save": lambda w: {"selected": "0", "revision": "0", "go": "next"},
    "quiz:attempt_submit": lambda w: {},
    "quiz:practice_end": lambda w: {},
    "quiz:review_start": lambda w: {"blueprint": w.blueprint.code},
    "quiz:exam_date": lambda w: {"blueprint": w.blueprint.code, "date": "2027-03-01"},
    "quiz:question_report": lambda w: {
        "reason": QuestionReport.Reason.values[0],
        "text": "The key looks wrong.",
        "next": "/reports/",
    },
    "quiz:notice_dismiss": lambda w: {},
    "quiz:bookmark_toggle": lambda w: {"next": "/practice/"},
    "accounts:text_size": lambda w: {"size": "large", "next": "/"},
    "accounts:logout": lambda w: {"next": "/"},
    "accounts:exam": lambda w: {"blueprint": w.blueprint.code, "next": "/"},
    "quiz:attempt_abandon": lambda w: {},
    "admin:logout": lambda w: {},
    "admin:quiz_itemstatistics_promote": lambda w: {},
    "admin:quiz_itemstatistics_refresh": lambda w: {},
    "admin:quiz_regrade_resume": lambda w: {},
    "admin:quiz_itemstatistics_send_back": lambda w: {"note": "Needs a second look."},
}
# Keys that are the admin's own (its URL protocol), swept one at a time like a view's keys.
ADMIN_CONTROL = re.compile(r"^(_.*|action|index|select_across|post|q|o|p|e|all)$")
# Tables a request may legitimately write whatever it is sent (sessions carry messages; login
# failures and mail requests are counted): left out of the no-change comparison.
VOLATILE_TABLES = {"django_session", "accounts_throttle"}
VOLATILE_PREFIXES = ("axes_",)

# ---------------------------------------------------------------- The world


@dataclass
class World:
    blueprint: object
    users: dict[str, User | None]
    clients: dict[str, Client]
    fillers: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _candidate_history(user, blueprint, now, *, running: bool) -> dict[str, list[str]]:
    """A finished mock, a practice session with an answered item, a bookmark; a running mock
    when ``running``, otherwise a report and a regrade notice. Returns the path fillers."""
    finished = start_attempt(user=user, blueprint=blueprint, now=now - timedelta(days=1))
    save_answer(
        attempt_id=finished.pk,
        user=user,
        position=1,
        answer=Answer(selected=(0,)),
        now=now - timedelta(days=1),
    )
    finish_attempt(attempt=finished, now=now - timedelta(days=1))
    objectives = list(blueprint.domains.values_list("objectives__pk", flat=True))
    session = start_practice(
        user=user,
        blueprint=blueprint,
        kind="chosen",
        length=3,
        objective_ids=objectives,
        now=now - timedelta(hours=1),
    )
    answer_practice(
        session_id=session.pk, user=user, position=1, selected=(0,), now=now - timedelta(hours=1)
    )
    version = PracticeItem.objects.get(session=session, position=1).version
    toggle_bookmark(user=user, question_id=version.question_id)
    attempts = [finished.pk]
    notices = ["987654321"]
    if running:
        attempt = start_attempt(user=user, blueprint=blueprint, now=now)
        save_answer(
            attempt_id=attempt.pk, user=user, position=1, answer=Answer(selected=(1,)), now=now
        )
        attempts.insert(0, attempt.pk)
    else:
        QuestionReport.objects.create(
            user=user,
            question_id=version.question_id,
            version=version,
            reason=QuestionReport.Reason.values[0],
            text="Two options are right.",
            created_at=now,
        )
        scored = AttemptItem.objects.filter(attempt=finished).select_related("version").first()
        regrade = Regrade.objects.create(
            version=scored.version, kind=Regrade.Kind.VOID, created_at=now
        )
        notice = RegradeNotice.objects.create(
            regrade=regrade,
            attempt=finished,
            user=user,
            old_score=500,
            new_score=520,
            old_passed=False,
            new_passed=False,
            created_at=now,
        )
        notices = [str(notice.pk)]
    return {
        "attempt_id": [str(pk) for pk in attempts],
        "position": ["1"],
        "session_id": [str(session.pk)],
        "question_id": [str(version.question_id)],
        "version_id": [str(version.pk)],
        "notice_id": notices,
    }


def _admin_fillers(blueprint) -> dict[str, list[str]]:
    question = Question.objects.filter(objective__domain__blueprint=blueprint).first()
    version = QuestionVersion.objects.filter(question=question).first()
    return {
        "pk": [str(question.pk)],
        "question_id": [str(question.pk)],
        "version_id": [str(version.pk)],
        "content_type_id": [str(ContentType.objects.get_for_model(Question).pk)],
        "app_label": ["quiz"],
        "url": ["no-such-page/"],
        "id": [str(User.objects.filter(is_superuser=False).first().pk)],
        "object_id": [str(question.pk)],  # with content_type_id: a question
        "regrade_id": [str(regrade.pk) if (regrade := Regrade.objects.first()) else "987654321"],
    }


def _activation(user) -> dict[str, list[str]]:
    return {
        "uidb64": [urlsafe_base64_encode(force_bytes(user.pk))],
        "token": [default_token_generator.make_token(user)],
        "code": [],  # set from the blueprint
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """One world for the whole module, inside a transaction rolled back at its end (building it
    per pattern would cost more than the sweep)."""
    with django_db_blocker.unblock(), transaction.atomic():
        from quiz.bank.blueprint import BLUEPRINTS, install_authors_group, install_blueprints
        from quiz.models import Blueprint

        if Blueprint.objects.filter(code__in=[b.code for b in BLUEPRINTS]).count() < len(
            BLUEPRINTS
        ):
            install_blueprints(apps)
            install_authors_group(apps)
        now = timezone.now()
        # A day-long exam: the running mock stays running however long the sweep takes.
        blueprint = small_blueprint(per_objective=4, duration_minutes=24 * 60)
        users: dict[str, User | None] = {"anonymous": None}
        fillers: dict[str, dict[str, list[str]]] = {}
        users["candidate"] = UserFactory(username="sweep-candidate")
        fillers["candidate"] = _candidate_history(users["candidate"], blueprint, now, running=False)
        users["mock_candidate"] = UserFactory(username="sweep-mock-candidate")
        fillers["mock_candidate"] = _candidate_history(
            users["mock_candidate"], blueprint, now, running=True
        )
        users["superuser"] = UserFactory(username="sweep-admin", is_staff=True, is_superuser=True)
        inactive = UserFactory(username="sweep-inactive", is_active=False)
        fillers["anonymous"] = {**fillers["candidate"], **_activation(inactive)}
        fillers["superuser"] = {**fillers["candidate"], **_admin_fillers(blueprint)}
        for name in ("candidate", "mock_candidate"):
            fillers[name].update(_activation(users[name]))
        for actor in fillers.values():
            actor["code"] = [blueprint.code]
        clients = {}
        for name, user in users.items():
            clients[name] = Client(raise_request_exception=False)
            if user is not None:
                clients[name].force_login(user)
        yield World(blueprint, users, clients, fillers)
        transaction.set_rollback(True)


def admin_model(pattern: Pattern):
    """The model an admin pattern is about, from its route (``admin/quiz/question/...``)."""
    parts = pattern.route.split("/")
    if len(parts) > 3 and parts[1] and parts[2]:
        with contextlib.suppress(LookupError):
            model = apps.get_model(parts[1], parts[2])
            if model in admin_site._registry:
                return model
    return None


def fillers_for(world: World, actor: str, pattern: Pattern) -> dict[str, list[str]]:
    fillers = dict(world.fillers[actor])
    model = admin_model(pattern) if pattern.admin else None
    if model is not None:
        row = model._default_manager.order_by("pk").first()
        fillers["object_id"] = [str(row.pk) if row is not None else "987654321"]
    return fillers


# ---------------------------------------------------------------- What a view reads

READS: set[tuple[str, str]] = set()
TOTALS: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _report_totals(request):
    yield
    if TOTALS:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        patterns = len(TOTALS.pop("patterns", ()))
        requests = sum(TOTALS.values())
        by_actor = ", ".join(f"{actor}: {count}" for (actor, _), count in sorted(TOTALS.items()))
        line = (
            f"hostile-input sweep: {patterns} URL patterns, {len(HOSTILE)} hostile values, "
            f"{requests} requests ({by_actor})"
        )
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(line)
        TOTALS.clear()


_recording = False


class RecordingQueryDict(QueryDict):
    """A request's ``GET`` or ``POST`` that notes every key a view asks it for."""

    source = ""

    def _note(self, key) -> None:
        if _recording and isinstance(key, str):
            READS.add((self.source, key))

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


@pytest.fixture(scope="module", autouse=True)
def _recorded_reads():
    """Requests whose ``GET`` and ``POST`` record the keys read (this module only)."""
    original_get = WSGIRequest.__dict__["GET"]
    original_load = WSGIRequest._load_post_and_files

    def get(self):
        data = original_get.func(self)
        data.__class__ = RecordingQueryDict
        data.source = "GET"
        return data

    def load(self):
        original_load(self)
        if type(self._post) is QueryDict:
            self._post.__class__ = RecordingQueryDict
            self._post.source = "POST"

    recording_get = type(original_get)(get)
    recording_get.__set_name__(WSGIRequest, "GET")
    WSGIRequest.GET = recording_get
    WSGIRequest._load_post_and_files = load
    try:
        yield
    finally:
        WSGIRequest.GET = original_get
        WSGIRequest._load_post_and_files = original_load


@pytest.fixture(scope="module", autouse=True)
def _quiet_refusals():
    """Thousands of refused requests would each log a warning; a 5xx still logs its error."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@contextlib.contextmanager
def recording() -> Iterator[set[tuple[str, str]]]:
    global _recording
    READS.clear()
    _recording = True
    try:
        yield READS
    finally:
        _recording = False


class PageParser(HTMLParser):
    """The forms of a page (action, fields with the values a browser would send) and the query
    keys of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, dict[str, list[str]]]] = []
        self.link_keys: dict[str, str] = {}
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._clicked = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "a" and (href := attributes.get("href")) and "?" in href:
            for key, value in parse_qsl(urlsplit(href).query, keep_blank_values=True):
                self.link_keys.setdefault(key, value)
        elif tag == "form":
            self._form = {}
            self._clicked = False
            method = (attributes.get("method") or "get").lower()
            self.forms.append((attributes.get("action") or "", method, self._form))
        elif tag == "option":
            self._option(attributes)
            return
        elif self._form is None or not name:
            return
        elif tag == "input" or tag == "button":
            kind = attributes.get("type", "text" if tag == "input" else "submit")
            if kind in {"checkbox", "radio"}:
                # Ticked as a person would: the first box of each name (a row to act on, an
                # option to answer with), or the ones the page ticked.
                chosen = self._form.setdefault(name, [])
                if "checked" in attributes or not chosen:
                    chosen[:] = [*chosen, attributes.get("value") or "on"][-1:]
            elif kind == "submit":
                # A browser sends the button clicked: the form's first.
                if not self._clicked:
                    self._clicked = True
                    self._form.setdefault(name, []).append(attributes.get("value") or "")
            elif kind not in {"button", "image", "file", "reset"}:
                self._form.setdefault(name, []).append(attributes.get("value") or "")
        elif tag == "select":
            self._select = name
            self._form.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self._form[name] = [""]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _option(self, attributes: dict) -> None:
        # The selected option, else the first that names something (an admin action, not
        # the "---------" placeholder).
        if self._form is None or not self._select:
            return
        value = attributes.get("value") or ""
        chosen = self._form[self._select]
        if value and (not chosen or "selected" in attributes):
            chosen[:] = [value]

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# ---------------------------------------------------------------- Requests and snapshots

TOUCHABLE = [
    "accounts.User",
    "auth.Group",
    "quiz.Blueprint",
    "quiz.Domain",
    "quiz.Objective",
    "quiz.Question",
    "quiz.Choice",
    "quiz.QuestionVersion",
    "quiz.Attempt",
    "quiz.AttemptItem",
    "quiz.PracticeSession",
    "quiz.PracticeItem",
    "quiz.Bookmark",
    "quiz.QuestionReport",
    "quiz.Regrade",
    "quiz.RegradeNotice",
    "quiz.ReviewCard",
    "quiz.ExamDate",
    "quiz.SeenQuestion",
    "quiz.ItemStatistics",
]

# The exam screen's clock: every page of a running mock the server renders (a refused answer's
# page included) records the contact and the time the item was on screen, from the server's
# clock alone. That is timekeeping, not anything the request asked for.
CLOCK_FIELDS = {
    "quiz.Attempt": ("last_contact_at", "viewing_position", "current_position"),
    "quiz.AttemptItem": ("seconds_on_screen",),
}


def _tables() -> list[str]:
    return sorted(
        table
        for table in connection.introspection.django_table_names(include_views=False)
        if table not in VOLATILE_TABLES and not table.startswith(VOLATILE_PREFIXES)
    )


def snapshot(tables: list[str]) -> tuple:
    """Every table's row count and a checksum of every row a request can touch (raw SQL: the
    sweep takes one after each refused request that wrote). Every name in it is a table or
    column of the models, quoted; nothing comes from a request."""
    quote_name = connection.ops.quote_name
    counts_sql = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*) FROM {quote_name(table)}"  # noqa: S608
        for i, table in enumerate(tables)
    )
    digest = hashlib.blake2b()
    with connection.cursor() as cursor:
        cursor.execute(counts_sql)
        counts = tuple(sorted(cursor.fetchall()))
        for label in TOUCHABLE:
            meta = apps.get_model(label)._meta
            columns = ", ".join(
                quote_name(f.column)
                for f in meta.concrete_fields
                if f.name not in CLOCK_FIELDS.get(label, ())
            )
            cursor.execute(
                f"SELECT {columns} FROM {quote_name(meta.db_table)} "  # noqa: S608
                f"ORDER BY {quote_name(meta.pk.column)}"
            )
            digest.update(repr(cursor.fetchall()).encode())
    return counts, digest.hexdigest()


class WriteSpy:
    """Notes whether a request sent any statement but a plain read; when none did, nothing can
    have changed and the snapshot (the sweep's main cost) is skipped."""

    READS = ("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET ", "SHOW ")

    def __init__(self) -> None:
        self.happened = False

    def __call__(self, execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        # A SELECT may call a function that writes (a task queue's defer): count it.
        if not statement.startswith(self.READS) or "DEFER" in statement:
            self.happened = True
        return execute(sql, params, many, context)


def _encode(value: object) -> tuple[str, ...]:
    """A value as escaped query pieces (several for ``Many``)."""
    return _escaped(type(value), value)


@functools.cache
def _escaped(kind: type, value: object) -> tuple[str, ...]:
    # Cached (the 10,000-character values), by type too: Raw("%ff") == "%ff".
    if kind is Raw:
        return (str(value),)
    if kind is Many:
        return tuple(quote(v, safe="") for v in value)
    if kind is Upload:
        return (quote("upload.txt"),)
    return (quote(str(value), safe=""),)


def encode(data: dict[str, object]) -> str:
    return "&".join(
        f"{quote(key, safe='')}={piece}" for key, value in data.items() for piece in _encode(value)
    )


@dataclass
class Sweep:
    world: World
    actor: str
    tables: list[str]
    baseline: tuple
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    def send(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, object] | None = None,
        body: dict[str, object] | None = None,
        htmx: bool = False,
        label: str = "",
    ):
        """One request in a savepoint rolled back afterwards; records what it breaks."""
        client = self.world.clients[self.actor]
        cookies = copy.deepcopy(client.cookies)
        extra = {"QUERY_STRING": encode(query or {})}
        headers = {"HX-Request": "true"} if htmx else {}
        self.requests += 1
        writes = WriteSpy()
        with transaction.atomic(), connection.execute_wrapper(writes):
            if method == "get":
                response = client.get(path, headers=headers, **extra)
            elif body and any(isinstance(v, Upload) for v in body.values()):
                files = {
                    k: SimpleUploadedFile("upload.txt", b"\x00\xff") if isinstance(v, Upload) else v
                    for k, v in body.items()
                }
                response = client.post(path, files, headers=headers, **extra)
            else:
                response = client.post(
                    path,
                    encode(body or {}),
                    content_type="application/x-www-form-urlencoded",
                    headers=headers,
                    **extra,
                )
            status = response.status_code

            def where() -> str:
                query_string = f"?{extra['QUERY_STRING'][:80]}" if query else ""
                sent = f" body {encode(body)[:80]}" if body else ""
                return f"{method.upper()} {path[:120]}{query_string}{sent} [{self.actor}, {label}]"

            if status >= 500:
                self.failures.append(f"{status} from {where()}")
            elif status >= 400 and writes.happened and snapshot(self.tables) != self.baseline:
                self.failures.append(f"{status} changed the database: {where()}")
            transaction.set_rollback(True)
        client.cookies = cookies  # a logout or a login would change who the client is
        return response


def _page_form(html: str, path: str, method: str) -> dict[str, list[str]] | None:
    parser = PageParser()
    parser.feed(html)
    for action, form_method, fields in parser.forms:
        target = urlsplit(action).path or path
        if form_method == method and target == path:
            return fields
    return None


def _link_keys(html: str) -> dict[str, str]:
    parser = PageParser()
    parser.feed(html)
    return parser.link_keys


def _to_login(response) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(login)


def sweep_instance(sweep: Sweep, pattern: Pattern, args: dict[str, str]) -> None:
    """Everything the sweep sends to one URL (one actor, one set of path arguments)."""
    path = route_url(pattern.route, {k: quote(v, safe="") for k, v in args.items()})
    # 1. What the page reads and sends.
    with recording() as reads:
        page = sweep.send("get", path, label="as filled")
    html = page.content.decode(errors="replace") if page.status_code == 200 else ""
    get_keys = {key: "" for source, key in reads if source == "GET"}
    get_keys.update(_link_keys(html))
    post_benign: dict[str, object] | None = None
    if pattern.name in POST_ONLY:
        post_benign = dict(POST_ONLY[pattern.name](sweep.world))
    elif page.status_code == 405:
        sweep.failures.append(
            f"{pattern.name} answers only POST: add what its form sends to POST_ONLY"
        )
        post_benign = {}
    elif (fields := _page_form(html, path, "post")) is not None:
        post_benign = {k: (v[0] if len(v) == 1 else Many(v)) for k, v in fields.items() if v}
        for key in fields:
            post_benign.setdefault(key, "")
    else:
        post_benign = {}
    post_keys: dict[str, object] = {}
    answer = None
    if post_benign is not None:
        with recording() as reads:
            answer = sweep.send("post", path, body=post_benign, label="as filled")
        if answer.status_code == 405:
            post_benign = None
        else:
            post_keys = dict(post_benign)
            post_keys.update({key: "" for source, key in reads if source == "POST"})
            get_keys.update({key: "" for source, key in reads if source == "GET"})
    for keys in (get_keys, post_keys, post_benign or {}):
        keys.pop("csrfmiddlewaretoken", None)  # the test client does not check it
    methods = ["get"] + (["post"] if post_benign is not None else [])
    # The admin takes its list; a page that only sends an anonymous visitor to log in (its view
    # never ran, nothing was read) the sharp values; every other page all of them.
    if pattern.admin:
        path_values, values = ADMIN_PATH_VALUES, ADMIN_VALUES
    elif all(_to_login(r) for r in (page, answer) if r is not None):
        path_values, values = SHARP_PATH_VALUES, SHARP
    else:
        path_values, values = PATH_VALUES, list(HOSTILE)

    # 2. Hostile path arguments.
    for arg in args:
        for name in path_values:
            value = HOSTILE[name]
            escaped = str(value) if isinstance(value, Raw) else quote(str(value), safe="")
            hostile_path = route_url(
                pattern.route,
                {k: (escaped if k == arg else quote(v, safe="")) for k, v in args.items()},
            )
            sweep.send("get", hostile_path, label=f"{arg}={name}")
            if "post" in methods and name in (ADMIN_SHARP if pattern.admin else SHARP_PATH_VALUES):
                sweep.send("post", hostile_path, body=post_benign, label=f"{arg}={name}")

    # 3. Every key hostile at once, plain and htmx.
    for name in values:
        value = HOSTILE[name]
        for htmx in (False, True) if name in HTMX and not pattern.admin else (False,):
            if get_keys:
                sweep.send("get", path, query=dict.fromkeys(get_keys, value), htmx=htmx, label=name)
            if post_benign is not None:
                sweep.send(
                    "post",
                    path,
                    body=dict.fromkeys(post_keys or ["field"], value),
                    htmx=htmx,
                    label=name,
                )

    # 4. One key at a time: a query key alone, a form field with the others as the form sends
    # them (a key the view read but the form does not send stays out).
    link_filters = set(_link_keys(html))
    sharp = ADMIN_SHARP if pattern.admin else SHARP
    for key in get_keys if len(get_keys) > 1 else ():
        if pattern.admin and not ADMIN_CONTROL.match(key) and key not in link_filters:
            continue
        for name in sharp:
            sweep.send("get", path, query={key: HOSTILE[name]}, label=f"{key}={name}")
    for key in post_keys if post_benign is not None else ():
        if pattern.admin and not ADMIN_CONTROL.match(key):
            continue
        for name in sharp:
            sweep.send(
                "post", path, body={**post_benign, key: HOSTILE[name]}, label=f"{key}={name}"
            )


def _parameters() -> list:
    params = []
    for pattern in url_patterns():
        for actor in actors(pattern):
            params.append(pytest.param(pattern, actor, id=f"{actor}:{pattern.route}"))
    return params


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "actor"), _parameters())
def test_no_hostile_input_gives_a_5xx_or_a_refused_change(world, pattern, actor):
    fillers = fillers_for(world, actor, pattern)
    missing = [arg for arg in pattern.args if not fillers.get(arg)]
    assert not missing, f"the sweep cannot fill {missing} of {pattern.route}: add a filler"
    tables = _tables()
    sweep = Sweep(world, actor, tables, snapshot(tables))
    # Each filled value of each argument (an attempt finished and one running, for example).
    variants = [{}]
    for arg in pattern.args:
        variants = [{**v, arg: value} for v in variants for value in fillers[arg]]
    for args in variants:
        sweep_instance(sweep, pattern, args)
    TOTALS[(actor, pattern.admin)] = TOTALS.get((actor, pattern.admin), 0) + sweep.requests
    TOTALS["patterns"] = TOTALS.get("patterns", set()) | {pattern.route}
    user = world.users[actor]
    session_user = world.clients[actor].session.get("_auth_user_id")
    assert session_user == (str(user.pk) if user else None), "the sweep lost its visitor"
    assert not sweep.failures, "\n".join(sweep.failures[:40])


def test_every_url_pattern_is_swept_and_every_post_only_view_is_known():
    """The sweep's parameters are the URLconf's patterns, each with its visitors; the POST-only
    views it knows all exist (a renamed one would silently lose its form)."""
    patterns = url_patterns()
    swept = {(p.values[0].route, p.values[1]) for p in _parameters()}
    assert {p.route for p in patterns} == {route for route, _ in swept}
    assert len(swept) == sum(len(actors(p)) for p in patterns)
    names = {p.name for p in patterns}
    assert set(POST_ONLY) <= names, set(POST_ONLY) - names
    assert len(patterns) >= 120  # the admin's patterns are in (about a hundred of them)


def _one(world: World, actor: str, method: str, path: str, **data):
    """One request as ``actor``, rolled back; fails if it was refused and changed anything."""
    tables = _tables()
    sweep = Sweep(world, actor, tables, snapshot(tables))
    response = sweep.send(method, path, **data)
    assert not sweep.failures, sweep.failures
    return response


@pytest.mark.django_db
def test_the_reported_inputs_answer_4xx(world):
    """The inputs issue #13 and the sweep's first run found answering 500, each now a 4xx (or,
    for a ``next`` that is not a path, the default page) that changes nothing."""
    candidate = world.fillers["candidate"]
    mock = world.fillers["mock_candidate"]
    finished = candidate["attempt_id"][0]
    running = mock["attempt_id"][0]
    assert (
        _one(world, "candidate", "get", "/practice/", query={"objective": "²"}).status_code == 400
    )
    answers = f"/attempts/{finished}/answers/"
    assert _one(world, "candidate", "get", answers, query={"domain": "²"}).status_code == 400
    # The answer is not saved when the destination is unreadable (it was, before the 500).
    item = f"/attempts/{running}/questions/1/"
    answer = _one(world, "mock_candidate", "post", item, body={"selected": "2", "go": "²"})
    assert answer.status_code == 422
    clock = f"/attempts/{running}/clock/"
    assert _one(world, "mock_candidate", "get", clock, query={"position": "²"}).status_code == 400
    assert _one(world, "candidate", "get", "/mock/%00/").status_code == 400
    assert (
        _one(world, "candidate", "get", "/practice/", query={"blueprint": "\x00"}).status_code
        == 400
    )
    # The admin: a filter value, an empty _to_field, an action on an unreadable id.
    for value in ("abc", "99999999999999999999", "²"):
        changelist = _one(
            world, "superuser", "get", "/admin/quiz/question/", query={"blueprint": value}
        )
        assert changelist.status_code == 400, value
    accesslog = _one(
        world, "superuser", "get", "/admin/axes/accesslog/", query={"attempt_time__year": "9" * 20}
    )
    assert accesslog.status_code == 400
    status = _one(world, "superuser", "get", "/admin/quiz/question/", query={"status__exact": "²"})
    assert status.status_code == 400
    csv = _one(world, "superuser", "get", "/admin/quiz/itemstatistics/csv/", query={"no_such": "1"})
    assert csv.status_code == 400
    question = world.fillers["superuser"]["pk"][0]
    change = f"/admin/quiz/question/{question}/change/"
    assert _one(world, "superuser", "get", change, query={"_to_field": ""}).status_code == 400
    delete = {"action": "delete_selected", "index": "0", "post": "yes", "_selected_action": "²"}
    assert _one(world, "superuser", "post", "/admin/quiz/question/", body=delete).status_code == 400
    assert _one(world, "superuser", "post", "/admin/accounts/user/", body=delete).status_code == 400
    # A username longer than any account's is a form error, not an overlong row for axes (a 500
    # on PostgreSQL).
    for login in ("/accounts/login/", "/admin/login/"):
        body = {"username": "é" * 10_000, "password": "x"}
        assert _one(world, "anonymous", "post", login, body=body).status_code == 200, login
    # ``next`` is a path on this site or nothing: never a view name ("²", "home").
    bookmark = f"/bookmarks/{candidate['question_id'][0]}/toggle/"
    for value in ("²", "home", "//evil.example/", "https://evil.example/", "/\r\nX-A: b"):
        toggled = _one(world, "candidate", "post", bookmark, body={"next": value})
        assert toggled.status_code == 302 and toggled["Location"] == "/practice/", value
    kept = _one(world, "candidate", "post", bookmark, body={"next": "/history/?page=2"})
    assert kept["Location"] == "/history/?page=2"
    report = f"/questions/{candidate['version_id'][0]}/report/"
    reported = _one(world, "candidate", "post", report, body={"reason": "x", "next": "home"})
    assert reported.status_code == 302 and reported["Location"] == "/reports/"
    size = _one(
        world, "candidate", "post", "/accounts/text-size/", body={"size": "large", "next": "²"}
    )
    assert size.status_code == 302 and size["Location"] == "/"


@pytest.mark.django_db
def test_head_is_answered_on_the_home_page_and_the_health_check(world):
    for actor in ("anonymous", "candidate"):
        client = world.clients[actor]
        for path in ("/", "/healthz"):
            response = client.head(path)
            assert response.status_code == 200, (actor, path)
            assert response.content == b"", (actor, path)
