"""Does the readiness number mean what it says? Simulated candidates with known abilities.

Each simulated candidate has a true level and a true offset per objective (drawn to span weak to
strong, with differences between objectives), and answers questions of known difficulty: the
chance of a right answer is ``GUESS + (1 - GUESS) · logistic(level + offset - difficulty)``,
higher on a question answered before (``RECALL`` of the gap: they saw the key). They sit mocks
and practise (weak spots, then "retry what I missed", between mocks) through the app's code:

- by default through its pure rules, in memory: ``assemble`` picks each mock (unseen first, then
  the least recently seen, as ``assembly_pools`` ranks them), ``scoring`` scores it, ``choose``
  with ``weakest_first``/``missed_question_ids`` picks practice, exactly as ``start_practice``
  calls them; fast enough for 500 candidates in well under two minutes;
- with ``through_services=True``, through the services themselves (``start_attempt``,
  ``save_answer``, ``finish_attempt``, ``start_practice``, ``answer_practice``) against the
  database, reading the history back with ``answer_history``: the same figures, about a hundred
  times slower (a test runs a few candidates this way).

After 1, 3 and 5 mocks the readiness model predicts, and the candidate then sits a fresh form
(new questions, assembled by ``assemble`` and scored by ``score``, with no recall). We compare:

- coverage: the share of 80% intervals that contain the realised scaled score;
- the Brier score of the pass probability, beside that of the naive predictor "the last mock's
  pass or fail".

The services path runs inside one transaction that is rolled back: the database is left as it
was.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from quiz.bank.blueprint import MLS_C01
from quiz.exam import scoring
from quiz.exam.assembly import SAMPLE_KEY_SPACE, Candidate, assemble, ranked_for_candidate
from quiz.exam.services import Answer as MockAnswer
from quiz.exam.services import blueprint_spec, finish_attempt, save_answer, start_attempt
from quiz.models import (
    AttemptItem,
    Blueprint,
    Choice,
    Domain,
    Objective,
    PracticeItem,
    PracticeSession,
    Question,
)
from quiz.practice import mastery
from quiz.practice.mastery import PastAnswer
from quiz.practice.services import (
    NothingToPractise,
    answer_history,
    answer_practice,
    start_practice,
)
from quiz.readiness import model
from quiz.readiness.services import form_spec

CHECKPOINTS = (1, 3, 5)
GUESS = 0.25  # one of four options
RECALL = 0.5  # a repeat closes this share of the gap to certain
LEVEL_RANGE = (-0.5, 2.5)  # a fresh-item accuracy of about 53% to 94%
OBJECTIVE_SD = 0.5
DIFFICULTY_SD = 0.8
PER_OBJECTIVE = 30
# The services path writes its bank to the database: a smaller one keeps it quick (mocks then
# repeat questions sooner, which the readiness model discounts anyway).
SERVICES_PER_OBJECTIVE = 10
FRESH_PER_OBJECTIVE = 6  # enough for any objective's share of a form
# Banks no larger than what assembly_pools reads whole (at most a form's worth of questions per
# objective, at most the pretest cap of pretest questions): its seeded sampling of a run of a
# large bank then takes every question, so the in-memory pools are the pools the app assembles
# from (the paired test checks it).
PRETEST = 15
PRACTICE_LENGTH = 10


@dataclass
class Figures:
    """The outcome for one number of prior mocks."""

    mocks: int
    intervals: int = 0
    covered: int = 0
    brier: float = 0.0
    naive_brier: float = 0.0
    passed: int = 0
    mean_mass: float = 0.0

    @property
    def coverage(self) -> float:
        return self.covered / self.intervals if self.intervals else 0.0

    @property
    def brier_score(self) -> float:
        return self.brier / self.intervals if self.intervals else 0.0

    @property
    def naive_brier_score(self) -> float:
        return self.naive_brier / self.intervals if self.intervals else 0.0


@dataclass
class Report:
    candidates: int
    seed: int
    seconds: float = 0.0
    figures: dict[int, Figures] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        covered = sum(f.covered for f in self.figures.values())
        return covered / sum(f.intervals for f in self.figures.values())

    def lines(self) -> list[str]:
        rows = [
            f"Readiness calibration: {self.candidates} simulated candidates, seed {self.seed}, "
            f"{self.seconds:.0f} s",
            "prior mocks | 80% interval coverage | Brier (readiness) | Brier (last mock) "
            "| pass rate",
        ]
        for k in sorted(self.figures):
            f = self.figures[k]
            rows.append(
                f"{k:>11} | {100 * f.coverage:>20.1f}% | {f.brier_score:>17.3f} "
                f"| {f.naive_brier_score:>16.3f} | {100 * f.passed / f.intervals:>8.0f}%"
            )
        rows.append(f"all checkpoints: coverage {100 * self.coverage:.1f}%")
        return rows


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


class _Bank:
    """A simulated copy of the default blueprint and a bank of questions of known difficulty."""

    def __init__(self, rng: random.Random) -> None:
        source = Blueprint.objects.default()
        facts = {
            "name": "Readiness calibration",
            "question_count": source.question_count if source else 65,
            "duration_minutes": source.duration_minutes if source else 190,
            "score_min": source.score_min if source else 100,
            "score_max": source.score_max if source else 1000,
            "pass_score": source.pass_score if source else 750,
            "cut_fraction": source.cut_fraction if source else Decimal("0.722"),
            "max_unscored_items": source.max_unscored_items if source else 15,
        }
        self.blueprint = Blueprint.objects.create(code="SIM-CALIBRATION", **facts)
        layout = (
            [
                (d.number, d.title, d.weight, [(o.code, o.title) for o in d.objectives.all()])
                for d in source.domains.prefetch_related("objectives")
            ]
            if source
            else [(d.number, d.title, d.weight, d.objectives) for d in MLS_C01.domains]
        )
        self.difficulty: dict[int, float] = {}
        self.objectives: list[Objective] = []
        for number, title, weight, objectives in layout:
            domain = Domain.objects.create(
                blueprint=self.blueprint, number=number, title=title, weight=weight
            )
            for code, objective_title in objectives:
                objective = Objective.objects.create(
                    domain=domain, code=code, title=objective_title
                )
                self.objectives.append(objective)
                for _ in range(SERVICES_PER_OBJECTIVE):
                    self._question(objective, Question.Status.PUBLISHED, rng)
        for i in range(PRETEST):
            self._question(self.objectives[i % len(self.objectives)], Question.Status.PRETEST, rng)
        self.spec = form_spec(self.blueprint, self.objectives)
        self.assembly_spec = blueprint_spec(self.blueprint)

    def _question(self, objective: Objective, status: str, rng: random.Random) -> None:
        question = Question.objects.create(
            objective=objective,
            external_id=f"sim-{objective.code}-{len(self.difficulty):04d}",
            stem="A simulated scenario.",
            status=status,
            sample_key=rng.randrange(SAMPLE_KEY_SPACE),
        )
        Choice.objects.bulk_create(
            Choice(question=question, order=i, text=f"Option {i + 1}", is_correct=i == 0)
            for i in range(4)
        )
        question.snapshot()
        self.difficulty[question.pk] = rng.gauss(0, DIFFICULTY_SD)


class _Examinee:
    """A simulated candidate's true abilities and how they answer."""

    def __init__(self, bank, rng: random.Random) -> None:
        self.bank = bank
        self.rng = rng
        self.level = rng.uniform(*LEVEL_RANGE)
        self.offset = {o.pk: rng.gauss(0, OBJECTIVE_SD) for o in bank.objectives}
        self.answered: set[int] = set()
        # What the candidate was served and scored, and what was predicted: the two paths must
        # give the same (tests/readiness/test_calibration.py runs both on one candidate).
        self.trace: list[tuple] = []

    def answers_right(self, question_id: int, objective_id: int) -> bool:
        right = self.rng.random() < self.chance(
            question_id, objective_id, self.bank.difficulty[question_id]
        )
        self.answered.add(question_id)
        return right

    def chance(self, question_id: int, objective_id: int, difficulty: float) -> float:
        p = GUESS + (1 - GUESS) * _logistic(self.level + self.offset[objective_id] - difficulty)
        if question_id in self.answered:
            p += (1 - p) * RECALL
        return p

    def _choose(self, question_id: int, objective_id: int, option_order: list[int]) -> int:
        """A display position: the key's with the candidate's chance, else a wrong one."""
        right = self.answers_right(question_id, objective_id)
        key_position = option_order.index(0)
        if right:
            return key_position
        # The first wrong option shown: which one does not matter to any figure, and drawing it
        # from the random stream would make this path's stream differ from the in-memory one.
        return next(p for p in range(len(option_order)) if p != key_position)

    def fresh_form(self) -> scoring.Result:
        """The real exam: new questions of the same blueprint, no recall."""
        pool = []
        difficulty = {}
        next_id = -1
        for objective in self.bank.objectives:
            for _ in range(FRESH_PER_OBJECTIVE):
                difficulty[next_id] = self.rng.gauss(0, DIFFICULTY_SD)
                pool.append(Candidate(next_id, next_id, objective.pk, objective.domain.number, 4))
                next_id -= 1
        pretest = [
            Candidate(next_id - i, next_id - i, self.bank.objectives[0].pk, 1, 4)
            for i in range(self.bank.assembly_spec.max_unscored)
        ]
        form = assemble(
            spec=self.bank.assembly_spec,
            scored_pool=pool,
            pretest_pool=pretest,
            seed=self.rng.getrandbits(62),
        )
        objective_of = {c.version_id: c.objective_id for c in pool}
        items = []
        for item in form:
            if not item.is_scored:
                continue
            objective_id = objective_of[item.version_id]
            p = GUESS + (1 - GUESS) * _logistic(
                self.level + self.offset[objective_id] - difficulty[item.version_id]
            )
            items.append(_scored_item(objective_id, self.rng.random() < p))
        return scoring.score(items, self.bank.spec.scale)


def _scored_item(objective_id: int, right: bool) -> scoring.ScoredItem:
    return scoring.ScoredItem(
        selected=frozenset({0 if right else 1}),
        key=frozenset({0}),
        is_scored=True,
        domain_number=0,
        domain_title="",
        objective_code=str(objective_id),
        objective_title="",
    )


class _ServicesCandidate(_Examinee):
    """Sits mocks and practises through the app's services, against the database."""

    def __init__(self, number: int, bank: _Bank, rng: random.Random) -> None:
        from accounts.models import User

        super().__init__(bank, rng)
        self.user = User.objects.create(
            username=f"sim-{number}", email=f"sim-{number}@example.invalid"
        )
        self.user.set_unusable_password()  # simulated candidates never log in

    def history(self) -> list:
        return answer_history(user=self.user, blueprint=self.bank.blueprint)

    def sit_mock(self, now: datetime) -> bool:
        attempt = start_attempt(
            user=self.user, blueprint=self.bank.blueprint, now=now, seed=self.rng.getrandbits(62)
        )
        items = AttemptItem.objects.filter(attempt=attempt, is_scored=True).values_list(
            "position", "option_order", "version__question_id", "version__objective_id"
        )
        # Pretest items are left blank: they count for nothing, in the score or in readiness.
        for position, order, question_id, objective_id in items:
            choice = self._choose(question_id, objective_id, order)
            save_answer(
                attempt_id=attempt.pk,
                user=self.user,
                position=position,
                answer=MockAnswer(selected=(choice,)),
                now=now,
            )
        finished = finish_attempt(attempt=attempt, now=now + timedelta(hours=2))
        served = AttemptItem.objects.filter(attempt=attempt).values_list(
            "version__question_id", flat=True
        )
        self.trace.append(("mock", tuple(served), finished.scaled_score, finished.passed))
        return bool(finished.passed)

    def practise(self, kind: str, now: datetime) -> None:
        try:
            session = start_practice(
                user=self.user,
                blueprint=self.bank.blueprint,
                kind=kind,
                length=PRACTICE_LENGTH,
                now=now,
                seed=self.rng.getrandbits(62),
            )
        except NothingToPractise:  # e.g. nothing missed yet
            self.trace.append(("practice", kind, ()))
            return
        items = PracticeItem.objects.filter(session=session).values_list(
            "position", "option_order", "version__question_id", "version__objective_id"
        )
        self.trace.append(("practice", kind, tuple(question_id for _, _, question_id, _ in items)))
        for position, order, question_id, objective_id in items:
            answer_practice(
                session_id=session.pk,
                user=self.user,
                position=position,
                selected=(self._choose(question_id, objective_id, order),),
                now=now + timedelta(minutes=position),
            )


class _MemoryBank:
    """The default blueprint's layout with a bank of questions of known difficulty, in memory
    (nothing is written)."""

    def __init__(self, rng: random.Random) -> None:
        blueprint = Blueprint.objects.default()
        self.objectives = list(
            Objective.objects.filter(domain__blueprint=blueprint)
            .select_related("domain")
            .order_by("domain__number", "pk")
        )
        self.spec = form_spec(blueprint, self.objectives)
        self.assembly_spec = blueprint_spec(blueprint)
        self.difficulty: dict[int, float] = {}
        self.published: list[Candidate] = []
        self.pretest: list[Candidate] = []
        next_id = 1
        for objective in self.objectives:
            for _ in range(PER_OBJECTIVE):
                self.published.append(
                    Candidate(next_id, next_id, objective.pk, objective.domain.number, 4)
                )
                self.difficulty[next_id] = rng.gauss(0, DIFFICULTY_SD)
                next_id += 1
        for i in range(PRETEST):
            objective = self.objectives[i % len(self.objectives)]
            self.pretest.append(
                Candidate(next_id, next_id, objective.pk, objective.domain.number, 4)
            )
            next_id += 1


class _MirrorBank(_MemoryBank):
    """A services bank (``_Bank``) as the in-memory path sees it: same questions, same ids, same
    difficulties, nothing read from the database again."""

    def __init__(self, bank: _Bank) -> None:
        self.objectives = bank.objectives
        self.spec = bank.spec
        self.assembly_spec = bank.assembly_spec
        self.difficulty = bank.difficulty
        domain_of = {o.pk: o.domain.number for o in bank.objectives}
        self.published, self.pretest = [], []
        for version_id, question_id, objective_id, status in (
            Question.objects.filter(objective__domain__blueprint=bank.blueprint)
            .order_by("pk")
            .values_list("current_version_id", "pk", "objective_id", "status")
        ):
            candidate = Candidate(version_id, question_id, objective_id, domain_of[objective_id], 4)
            target = self.pretest if status == Question.Status.PRETEST else self.published
            target.append(candidate)


class _MemoryCandidate(_Examinee):
    """Sits mocks and practises through the app's pure rules, with the history in memory."""

    def __init__(self, bank: _MemoryBank, rng: random.Random) -> None:
        super().__init__(bank, rng)
        self.answers: list[PastAnswer] = []
        self.last_seen: dict[int, datetime] = {}

    def history(self) -> list[PastAnswer]:
        return list(self.answers)

    def sit_mock(self, now: datetime) -> bool:
        seed = self.rng.getrandbits(62)
        objective_of = {c.version_id: c.objective_id for c in self.bank.published}
        # As start_attempt: the pools ranked as assembly_pools ranks them, then assemble.
        form = assemble(
            spec=self.bank.assembly_spec,
            scored_pool=ranked_for_candidate(
                self.bank.published, last_seen=self.last_seen, seed=seed
            ),
            pretest_pool=ranked_for_candidate(
                self.bank.pretest, last_seen=self.last_seen, seed=seed
            ),
            seed=seed,
        )
        finished = now + timedelta(hours=2)
        items = []
        for item in form:
            self.last_seen[item.question_id] = now
            if not item.is_scored:
                continue
            objective_id = objective_of[item.version_id]
            right = self.answers_right(item.question_id, objective_id)
            self.answers.append(PastAnswer(item.question_id, objective_id, right, finished))
            items.append(_scored_item(objective_id, right))
        result = scoring.score(items, self.bank.spec.scale)
        served = tuple(item.question_id for item in form)
        self.trace.append(("mock", served, result.scaled_score, result.passed))
        return result.passed

    def practise(self, kind: str, now: datetime) -> None:
        # As start_practice: the kind's drill (mastery.missed_drill / weak_drill), then choose.
        seed = self.rng.getrandbits(62)
        if kind == PracticeSession.Kind.WEAK:
            drill = mastery.weak_drill(self.answers, [o.pk for o in self.bank.objectives])
        else:
            drill = mastery.missed_drill(self.answers)
        pool = self.bank.published
        if drill.question_ids is not None:
            pool = [c for c in pool if c.question_id in drill.question_ids]
        chosen = mastery.choose(
            pool=pool,
            answers=self.answers,
            length=PRACTICE_LENGTH,
            seed=seed,
            objective_order=drill.objective_order,
        )
        self.trace.append(("practice", kind, tuple(c.question_id for c in chosen)))
        for position, c in enumerate(chosen, start=1):
            right = self.answers_right(c.question_id, c.objective_id)
            self.answers.append(
                PastAnswer(c.question_id, c.objective_id, right, now + timedelta(minutes=position))
            )


def run(*, candidates: int, seed: int, through_services: bool = False, progress=None) -> Report:
    """Simulate ``candidates`` candidates (see the module docstring)."""
    started = time.monotonic()
    rng = random.Random(seed)
    report = Report(candidates=candidates, seed=seed)
    report.figures = _empty_figures()
    with transaction.atomic():
        bank = _Bank(rng) if through_services else _MemoryBank(rng)
        for number in range(candidates):
            candidate_rng = random.Random(rng.getrandbits(64))
            candidate = (
                _ServicesCandidate(number, bank, candidate_rng)
                if through_services
                else _MemoryCandidate(bank, candidate_rng)
            )
            _sit(candidate, report)
            if progress is not None:
                progress(number + 1)
        transaction.set_rollback(True)
    report.seconds = time.monotonic() - started
    return report


def paired_traces(*, candidates: int, seed: int) -> list[tuple[list, list]]:
    """Each candidate sat twice with the same random stream: through the services against the
    database, and through the pure rules in memory over that same bank. Returns each one's
    (services trace, memory trace): mocks served and scored, practice chosen, predictions and
    fresh-form outcomes. Equal traces show the in-memory path is the app's. Rolled back."""
    rng = random.Random(seed)
    pairs = []
    with transaction.atomic():
        bank = _Bank(rng)
        mirror = _MirrorBank(bank)
        for number in range(candidates):
            candidate_seed = rng.getrandbits(64)
            services = _ServicesCandidate(number, bank, random.Random(candidate_seed))
            memory = _MemoryCandidate(mirror, random.Random(candidate_seed))
            for candidate in (services, memory):
                _sit(candidate, Report(candidates=1, seed=seed, figures=_empty_figures()))
            pairs.append((services.trace, memory.trace))
        transaction.set_rollback(True)
    return pairs


def _empty_figures() -> dict[int, Figures]:
    return {k: Figures(mocks=k) for k in CHECKPOINTS}


def _sit(candidate: _Examinee, report: Report) -> None:
    """Mocks with weak-spot and missed-question practice in between; predictions after 1, 3
    and 5 mocks, each checked against a fresh form."""
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for mock in range(1, max(CHECKPOINTS) + 1):
        if mock > 1:
            candidate.practise(PracticeSession.Kind.WEAK, now)
            now += timedelta(days=1)
            candidate.practise(PracticeSession.Kind.MISSED, now)
            now += timedelta(days=1)
        last_passed = candidate.sit_mock(now)
        now += timedelta(days=1)
        if mock in CHECKPOINTS:
            _check(report.figures[mock], candidate, last_passed)


def _check(figures: Figures, candidate: _Examinee, last_passed: bool) -> None:
    evidence = model.weigh(candidate.history())
    prediction = model.predict(evidence, candidate.bank.spec, objectives=False)
    outcome = candidate.fresh_form()
    candidate.trace.append(
        (
            "check",
            round(prediction.pass_probability, 12),
            prediction.low_score,
            prediction.high_score,
            outcome.scaled_score,
        )
    )
    figures.intervals += 1
    figures.covered += prediction.low_score <= outcome.scaled_score <= prediction.high_score
    figures.brier += (prediction.pass_probability - outcome.passed) ** 2
    figures.naive_brier += (float(last_passed) - outcome.passed) ** 2
    figures.passed += outcome.passed
    figures.mean_mass += prediction.interval_mass
