"""Readiness as pure functions: how likely is this candidate to pass a fresh form?

The model, in four steps (README "Readiness" says the same for candidates):

1. **Weights.** Every answer (mock or practice) counts with a weight: recency halves it every
   ``HALF_LIFE`` answers back within its objective, and a repeat of a question the candidate had
   already answered counts ``REPEAT_WEIGHT`` (they may remember the key; the exam's items are all
   new to them). Per objective this gives weighted rights ``r`` and wrongs ``w``.
2. **Posteriors.** An objective's chance of a right answer on a fresh item is ``p_o``; the
   candidate's objectives share a level ``m`` with ``p_o ~ Beta(KAPPA·m, KAPPA·(1-m))`` (strong
   candidates are strong in most objectives). ``m`` has a ``Beta(*LEVEL_PRIOR)`` prior; its
   posterior is computed exactly on a grid (the Beta-binomial likelihood takes fractional
   weights), then summarised by ``MIXTURE_POINTS`` equal-mass points. Given ``m``, ``p_o`` is
   ``Beta(KAPPA·m + r, KAPPA·(1-m) + w)``. Objectives with no answers borrow the shared level.
3. **Fresh forms.** A form follows the blueprint: its scored items are split over domains by
   largest remainder and within a domain evenly over objectives (which objective gets an extra
   item is random, as in assembly). The number right on a form is the sum of Beta-binomials;
   its distribution is computed exactly (convolution, averaged over the extra-item placements
   and the mixture), not sampled, so the number does not jitter between page loads.
4. **Outcome.** P(pass) = P(right >= cut items). The 80% interval is the central interval of
   right answers whose predicted mass is closest to 80% (the scale is discrete), mapped to
   scaled scores with the scoring module's map.

Too little data gives no number: at least ``MIN_ANSWERS`` first sightings and
``MIN_PER_DOMAIN`` in every domain.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from quiz.bank.blueprint import largest_remainder
from quiz.exam.scoring import Scale, cut_items, scaled_score
from quiz.practice.mastery import PastAnswer

HALF_LIFE = 30  # answers within one objective
REPEAT_WEIGHT = 0.25
KAPPA = 12.0  # how alike one candidate's objectives are (SD of p_o about 0.13 at m = 0.7)
LEVEL_PRIOR = (2.0, 2.0)
GRID = 120
MIXTURE_POINTS = 12
INTERVAL = 0.80
MIN_ANSWERS = 30
MIN_PER_DOMAIN = 3
DRILL = 10  # the recommendation's what-if: the next DRILL answers of an objective are right
Z_80 = 1.2815515655446004  # the standard normal's 90th percentile


# ---------------------------------------------------------------------------------- the form


@dataclass(frozen=True)
class FormSpec:
    """What a fresh form is, as readiness needs it: scored items, the cut, the scale, and which
    objectives each domain has (domain number -> objective ids) with the domains' weights."""

    scored: int
    scale: Scale
    objectives: Mapping[int, tuple[int, ...]]
    weights: Mapping[int, int]

    @property
    def cut(self) -> int:
        return cut_items(self.scored, self.scale.cut_fraction)

    def domain_items(self) -> dict[int, int]:
        return largest_remainder(self.scored, self.weights)

    def expected_items(self) -> dict[int, float]:
        """Objective id -> items it gets on a form, on average."""
        result = {}
        for number, count in self.domain_items().items():
            ids = self.objectives[number]
            for objective in ids:
                result[objective] = count / len(ids)
        return result

    def objective_ids(self) -> list[int]:
        return [o for number in sorted(self.objectives) for o in self.objectives[number]]


# ---------------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Evidence:
    """Weighted rights and wrongs per objective, and the plain counts beside them."""

    right: Mapping[int, float]
    wrong: Mapping[int, float]
    first_answers: int = 0
    first_right: int = 0
    all_answers: int = 0
    all_right: int = 0
    first_by_objective: Mapping[int, int] = field(default_factory=dict)


def weigh(answers: Iterable[PastAnswer]) -> Evidence:
    """Weights per answer: recency within the objective times the repeat discount."""
    ordered = sorted(answers, key=lambda a: (a.at, a.question_id))
    seen: set[int] = set()
    by_objective: dict[int, list[tuple[bool, bool]]] = defaultdict(list)  # (correct, repeat)
    first_answers = first_right = all_right = 0
    first_by_objective: dict[int, int] = defaultdict(int)
    for answer in ordered:
        repeat = answer.question_id in seen
        seen.add(answer.question_id)
        by_objective[answer.objective_id].append((answer.correct, repeat))
        all_right += answer.correct
        if not repeat:
            first_answers += 1
            first_right += answer.correct
            first_by_objective[answer.objective_id] += 1
    right: dict[int, float] = {}
    wrong: dict[int, float] = {}
    for objective, history in by_objective.items():
        r = w = 0.0
        for age, (correct, repeat) in enumerate(reversed(history)):
            weight = 0.5 ** (age / HALF_LIFE) * (REPEAT_WEIGHT if repeat else 1.0)
            if correct:
                r += weight
            else:
                w += weight
        right[objective], wrong[objective] = r, w
    return Evidence(
        right=right,
        wrong=wrong,
        first_answers=first_answers,
        first_right=first_right,
        all_answers=len(ordered),
        all_right=all_right,
        first_by_objective=dict(first_by_objective),
    )


def with_drill(evidence: Evidence, objective_id: int, right: int = DRILL) -> Evidence:
    """The evidence as if the next ``right`` answers in the objective were right (first
    sightings, newest: the older ones of that objective fade accordingly)."""
    fade = 0.5 ** (right / HALF_LIFE)
    rights = dict(evidence.right)
    wrongs = dict(evidence.wrong)
    fresh = sum(0.5 ** (age / HALF_LIFE) for age in range(right))
    rights[objective_id] = rights.get(objective_id, 0.0) * fade + fresh
    wrongs[objective_id] = wrongs.get(objective_id, 0.0) * fade
    return Evidence(right=rights, wrong=wrongs)


# ---------------------------------------------------------------------------------- posterior


def _lbeta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def level_mixture(evidence: Evidence, objective_ids: Iterable[int]) -> list[tuple[float, float]]:
    """The shared level's posterior as (m, probability) points of equal mass."""
    grid = [(i + 0.5) / GRID for i in range(GRID)]
    a0, b0 = LEVEL_PRIOR
    data = [
        (evidence.right.get(o, 0.0), evidence.wrong.get(o, 0.0))
        for o in objective_ids
        if evidence.right.get(o, 0.0) + evidence.wrong.get(o, 0.0) > 0
    ]
    logs = []
    for m in grid:
        a, b = KAPPA * m, KAPPA * (1 - m)
        value = (a0 - 1) * math.log(m) + (b0 - 1) * math.log(1 - m)
        base = _lbeta(a, b)
        for r, w in data:
            value += _lbeta(a + r, b + w) - base
        logs.append(value)
    top = max(logs)
    mass = [math.exp(v - top) for v in logs]
    total = sum(mass)
    mass = [v / total for v in mass]
    # Equal-mass bins, each summarised by its conditional mean; a grid point's mass is split
    # between two bins where a boundary falls inside it, so the bins hold exactly 1/K each.
    target = 1.0 / MIXTURE_POINTS
    points: list[tuple[float, float]] = []
    bin_mass = bin_moment = 0.0
    for m, p in zip(grid, mass, strict=True):
        while p > 0:
            take = min(p, target - bin_mass)
            bin_mass += take
            bin_moment += take * m
            p -= take
            if bin_mass >= target - 1e-15:
                points.append((bin_moment / bin_mass, bin_mass))
                bin_mass = bin_moment = 0.0
    if bin_mass > 1e-12:
        points.append((bin_moment / bin_mass, bin_mass))
    return points


def _beta_binomial(n: int, a: float, b: float) -> list[float]:
    """P(k right of n) when the chance of a right answer is Beta(a, b): by the ratio of
    consecutive terms, which needs no special functions."""
    first = 1.0
    for i in range(n):
        first *= (b + i) / (a + b + i)
    pmf = [first]
    for k in range(n):
        pmf.append(pmf[-1] * (n - k) / (k + 1) * (k + a) / (n - k - 1 + b))
    return pmf


def _convolve(x: Sequence[float], y: Sequence[float]) -> list[float]:
    out = [0.0] * (len(x) + len(y) - 1)
    for i, xi in enumerate(x):
        if xi == 0.0:
            continue
        for j, yj in enumerate(y):
            out[i + j] += xi * yj
    return out


def _domain_pmf(pmfs: list[tuple[list[float], list[float]]], extra: int) -> list[float]:
    """Right answers in a domain whose objectives get ``base`` items each and ``extra`` of them
    one more, every choice of which ones equally likely (as assembly's shuffle makes it)."""
    if extra == 0:
        result = [1.0]
        for base, _ in pmfs:
            result = _convolve(result, base)
        return result
    states: dict[int, list[float]] = {0: [1.0]}
    for base, plus in pmfs:
        following: dict[int, list[float]] = {}
        for used, pmf in states.items():
            for step, part in ((0, base), (1, plus)):
                if used + step > extra:
                    continue
                grown = _convolve(pmf, part)
                known = following.get(used + step)
                following[used + step] = (
                    grown if known is None else [x + y for x, y in zip(known, grown, strict=True)]
                )
        states = following
    ways = math.comb(len(pmfs), extra)
    return [x / ways for x in states[extra]]


def right_answers_pmf(
    evidence: Evidence, spec: FormSpec, mixture: list[tuple[float, float]] | None = None
) -> list[float]:
    """The distribution of right answers on a fresh form (index = number right)."""
    if mixture is None:
        mixture = level_mixture(evidence, spec.objective_ids())
    total = [0.0] * (spec.scored + 1)
    counts = spec.domain_items()
    for m, weight in mixture:
        form = [1.0]
        for number in sorted(counts):
            ids = spec.objectives[number]
            base, extra = divmod(counts[number], len(ids))
            pmfs = []
            for o in ids:
                a = KAPPA * m + evidence.right.get(o, 0.0)
                b = KAPPA * (1 - m) + evidence.wrong.get(o, 0.0)
                pmfs.append((_beta_binomial(base, a, b), _beta_binomial(base + 1, a, b)))
            form = _convolve(form, _domain_pmf(pmfs, extra))
        for k, p in enumerate(form):
            total[k] += weight * p
    norm = sum(total)
    return [p / norm for p in total]


def central_interval(pmf: Sequence[float], level: float = INTERVAL) -> tuple[int, int, float]:
    """(low, high, mass): the central interval of a discrete distribution whose mass is closest
    to ``level``. Tails of (1 - level) / 2 each, give or take one value at each end."""
    tail = (1 - level) / 2
    cdf = []
    running = 0.0
    for p in pmf:
        running += p
        cdf.append(running)

    def first_above(q: float, strict: bool) -> int:
        return next(
            (k for k, c in enumerate(cdf) if (c > q + 1e-12 if strict else c >= q - 1e-12)),
            len(pmf) - 1,
        )

    def mass(low: int, high: int) -> float:
        return cdf[high] - (cdf[low - 1] if low > 0 else 0.0)

    # P(below low) <= tail and P(above high) <= tail.
    low0, high0 = first_above(tail, strict=True), first_above(1 - tail, strict=False)
    options = [
        (low, high)
        for low in (low0, low0 + 1)
        for high in (high0, high0 - 1)
        if low <= high and high < len(pmf)
    ]
    low, high = min(options, key=lambda lh: (abs(mass(*lh) - level), lh[0] - lh[1]))
    return low, high, mass(low, high)


# ---------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ObjectiveEstimate:
    objective_id: int
    estimate: float  # chance of a right answer on a fresh item
    low: float  # 80% interval
    high: float
    weight: float  # weighted answers behind it
    first_answers: int

    @property
    def percent(self) -> int:
        return round(100 * self.estimate)

    @property
    def low_percent(self) -> int:
        return round(100 * self.low)

    @property
    def high_percent(self) -> int:
        return round(100 * self.high)


@dataclass(frozen=True)
class Shortfall:
    """Not enough data yet: how many more first-sighting answers, and where."""

    more_answers: int
    more_by_domain: Mapping[int, int]


@dataclass(frozen=True)
class Readiness:
    pass_probability: float
    expected_score: int
    low_score: int  # 80% interval for the scaled score
    high_score: int
    interval_mass: float
    objectives: list[ObjectiveEstimate]

    @property
    def pass_percent(self) -> int:
        return round(100 * self.pass_probability)


@dataclass(frozen=True)
class FreshScore:
    """The scaled score of the share right, from first sightings only and from every answer."""

    fresh_score: int | None
    fresh_answers: int
    fresh_percent: int | None
    plain_score: int | None
    plain_answers: int
    plain_percent: int | None


def shortfall(evidence: Evidence, spec: FormSpec) -> Shortfall | None:
    """None when there is enough data for a number."""
    by_domain = {}
    for number, ids in spec.objectives.items():
        have = sum(evidence.first_by_objective.get(o, 0) for o in ids)
        by_domain[number] = max(0, MIN_PER_DOMAIN - have)
    more = max(MIN_ANSWERS - evidence.first_answers, sum(by_domain.values()))
    if more <= 0:
        return None
    return Shortfall(more_answers=more, more_by_domain={k: v for k, v in by_domain.items() if v})


def pass_probability(evidence: Evidence, spec: FormSpec) -> float:
    pmf = right_answers_pmf(evidence, spec)
    return min(1.0, sum(pmf[spec.cut :]))


def predict(evidence: Evidence, spec: FormSpec, *, objectives: bool = True) -> Readiness:
    """The readiness numbers (call ``shortfall`` first: this always answers)."""
    mixture = level_mixture(evidence, spec.objective_ids())
    pmf = right_answers_pmf(evidence, spec, mixture)
    low, high, mass = central_interval(pmf)
    mean = sum(k * p for k, p in enumerate(pmf))
    scale = spec.scale
    return Readiness(
        pass_probability=min(1.0, sum(pmf[spec.cut :])),
        expected_score=scaled_score(round(mean), spec.scored, scale),
        low_score=scaled_score(low, spec.scored, scale),
        high_score=scaled_score(high, spec.scored, scale),
        interval_mass=mass,
        objectives=objective_estimates(evidence, spec, mixture) if objectives else [],
    )


def objective_estimates(
    evidence: Evidence, spec: FormSpec, mixture: list[tuple[float, float]] | None = None
) -> list[ObjectiveEstimate]:
    """Each objective's posterior mean and an 80% interval (mean ± 1.28 SD of the mixture,
    kept within 0..1)."""
    if mixture is None:
        mixture = level_mixture(evidence, spec.objective_ids())
    result = []
    for o in spec.objective_ids():
        r, w = evidence.right.get(o, 0.0), evidence.wrong.get(o, 0.0)
        first = second = 0.0
        for m, weight in mixture:
            a, b = KAPPA * m + r, KAPPA * (1 - m) + w
            mean = a / (a + b)
            variance = a * b / ((a + b) ** 2 * (a + b + 1))
            first += weight * mean
            second += weight * (variance + mean * mean)
        sd = math.sqrt(max(0.0, second - first * first))
        result.append(
            ObjectiveEstimate(
                objective_id=o,
                estimate=first,
                low=max(0.0, first - Z_80 * sd),
                high=min(1.0, first + Z_80 * sd),
                weight=r + w,
                first_answers=evidence.first_by_objective.get(o, 0),
            )
        )
    return result


def fresh_score(evidence: Evidence, spec: FormSpec) -> FreshScore:
    """What a form would score at the share right: first sightings only, and every answer."""

    def scaled(right: int, answers: int) -> tuple[int | None, int | None]:
        if not answers:
            return None, None
        share = right / answers
        return scaled_score(round(share * spec.scored), spec.scored, spec.scale), round(100 * share)

    fresh, fresh_pct = scaled(evidence.first_right, evidence.first_answers)
    plain, plain_pct = scaled(evidence.all_right, evidence.all_answers)
    return FreshScore(
        fresh_score=fresh,
        fresh_answers=evidence.first_answers,
        fresh_percent=fresh_pct,
        plain_score=plain,
        plain_answers=evidence.all_answers,
        plain_percent=plain_pct,
    )


@dataclass(frozen=True)
class Recommendation:
    objective_id: int
    pass_now: float
    pass_after: float  # if the next DRILL answers in the objective are right

    @property
    def after_percent(self) -> int:
        return round(100 * self.pass_after)


def approximate_pass_probability(evidence: Evidence, spec: FormSpec) -> float:
    """P(pass) with each mixture point's count taken as normal (matching its mean and variance):
    cheap enough to rank every objective's what-if; the chosen one is then computed exactly."""
    expected = spec.expected_items()
    total = 0.0
    for m, weight in level_mixture(evidence, spec.objective_ids()):
        mean = variance = 0.0
        for o, n in expected.items():
            a = KAPPA * m + evidence.right.get(o, 0.0)
            b = KAPPA * (1 - m) + evidence.wrong.get(o, 0.0)
            p = a / (a + b)
            spread = a * b / ((a + b) ** 2 * (a + b + 1))
            mean += n * p
            variance += n * p * (1 - p) + n * (n - 1) * spread
        z = (mean - (spec.cut - 0.5)) / math.sqrt(max(variance, 1e-9))
        total += weight * 0.5 * math.erfc(-z / math.sqrt(2))
    return total


def recommend(evidence: Evidence, spec: FormSpec) -> Recommendation | None:
    """The objective where a drill would raise the pass probability most.

    The what-if is the model's own: the next ``DRILL`` answers in the objective are right. Its
    effect grows with the objective's share of a form (more items ride on it), with the
    candidate's uncertainty there (a wide posterior moves further) and with room to improve,
    which is the weighting the dashboard promises. Objectives are ranked by a normal
    approximation, and the best one's effect is computed exactly; ties go to the lower id.
    """
    ids = sorted(spec.objective_ids())
    if not ids:
        return None
    best = max(ids, key=lambda o: (approximate_pass_probability(with_drill(evidence, o), spec), -o))
    return Recommendation(
        best, pass_probability(evidence, spec), pass_probability(with_drill(evidence, best), spec)
    )


def history_points(
    answers: Sequence[PastAnswer], spec: FormSpec, instants: Iterable[datetime]
) -> list[tuple[datetime, Readiness | None]]:
    """Readiness as it stood at each instant (answers up to it), None where data was short."""
    points = []
    for instant in instants:
        evidence = weigh(a for a in answers if a.at <= instant)
        if shortfall(evidence, spec) is not None:
            points.append((instant, None))
        else:
            points.append((instant, predict(evidence, spec, objectives=False)))
    return points
