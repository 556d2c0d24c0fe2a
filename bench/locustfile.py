"""Simulated candidates for `make bench` (locust, headless). Loopback only.

Scenarios, one per user class, so each request type is measured on its own at a given
concurrency: TrivialUser (baseline a), TouchUser (baseline b), QuestionUser (question page),
SaveUser (autosave), StartSubmitUser (start mock and submit), and ExamUser (the whole flow:
start, open items, save single and multiple responses, flag, review, submit). Capacity in
candidates (bench/capacity.py): PacedUser (the real exam's pace, compressed) and BurstUser (a
class pressing Start together).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import time

from locust import HttpUser, constant, task

PASSWORD = "bench-pass-2026"  # noqa: S105
_accounts = itertools.count()
MAX_RE = re.compile(r'data-max-selections="(\d+)"')
OPTIONS_RE = re.compile(r'name="selected" value="(\d+)"')


ACKS = os.environ.get("BENCH_ACK_FILE")
# Scenarios that need accounts no other run of the same harness has touched start here.
ACCOUNT_OFFSET = int(os.environ.get("BENCH_ACCOUNT_OFFSET", "0"))


def acknowledge(user, position: int, response, selected=()) -> None:
    """Log a save the server acknowledged, with the revision it returned, for the loss check
    (and who saved what, for the resume-page check of `make chaos`)."""
    if ACKS:
        shown = ",".join(selected) or "-"
        with open(ACKS, "a") as handle:
            handle.write(
                f"{user.attempt_id} {position} {response.json()['revision']} "
                f"{user.username} {shown}\n"
            )


class Candidate(HttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.username = f"bench{ACCOUNT_OFFSET + next(_accounts):04d}"
        self.client.get("/accounts/login/", name="login page")
        response = self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.csrf,
            },
            name="login",
        )
        response.raise_for_status()
        self.attempt_id = None
        self.state: dict[int, tuple] = {}

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def start_mock(self, name: str = "start mock") -> None:
        """Press Start: the time until the first question is on screen (the redirect included)."""
        response = self.client.post(
            "/mock/", {"csrfmiddlewaretoken": self.csrf}, name=name, allow_redirects=True
        )
        match = re.search(r"/attempts/(\d+)/questions/", response.url)
        self.attempt_id = int(match.group(1)) if match else None
        self.state = {}

    def save(self, position: int, *, flag: bool | None = None) -> None:
        """Save an answer that always differs from the last one this user saved for the item,
        so every acknowledged save changes exactly one item's revision."""
        selected, flagged = self.state.get(position, ((), False))
        if flag is None:
            selected = ("1",) if selected == ("0",) else ("0",)
        else:
            flagged = not flagged
        data = {"selected": list(selected), "csrfmiddlewaretoken": self.csrf}
        if flagged:
            data["flagged"] = "on"
        with self.client.post(
            f"/attempts/{self.attempt_id}/questions/{position}/save/",
            data,
            name="save",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                self.state[position] = (selected, flagged)
                acknowledge(self, position, response, selected)
                response.success()
            else:
                response.failure(f"save {response.status_code}")


class TrivialUser(HttpUser):
    wait_time = constant(0)

    @task
    def trivial(self) -> None:
        self.client.get("/bench/trivial", name="baseline a: trivial")


class TouchUser(Candidate):
    def on_start(self) -> None:
        super().on_start()
        self.start_mock()

    @task
    def touch(self) -> None:
        self.client.post(
            "/bench/touch", {"csrfmiddlewaretoken": self.csrf}, name="baseline b: select+update"
        )


class QuestionUser(Candidate):
    def on_start(self) -> None:
        super().on_start()
        self.start_mock()

    @task
    def question(self) -> None:
        position = random.randint(1, 65)
        self.client.get(f"/attempts/{self.attempt_id}/questions/{position}/", name="question page")


class SaveUser(Candidate):
    def on_start(self) -> None:
        super().on_start()
        self.start_mock()

    @task
    def answer(self) -> None:
        self.save(random.randint(1, 65))


class ExamUser(Candidate):
    """The whole flow, ten items per sitting so that many sittings fit in the run."""

    @task
    def sitting(self) -> None:
        self.start_mock()
        if self.attempt_id is None:
            return
        for position in range(1, 11):
            page = self.client.get(
                f"/attempts/{self.attempt_id}/questions/{position}/", name="question page"
            )
            wanted = int(MAX_RE.search(page.text).group(1)) if MAX_RE.search(page.text) else 1
            options = OPTIONS_RE.findall(page.text)
            picks = tuple(options[:wanted])
            self.state[position] = ((), False)
            data = {"selected": list(picks), "csrfmiddlewaretoken": self.csrf}
            name = "save (multiple)" if wanted > 1 else "save (single)"
            with self.client.post(
                f"/attempts/{self.attempt_id}/questions/{position}/save/",
                data,
                name=name,
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"save {response.status_code}")
                else:
                    acknowledge(self, position, response, picks)
            if position % 4 == 0:
                with self.client.post(
                    f"/attempts/{self.attempt_id}/questions/{position}/save/",
                    {**data, "flagged": "on"},
                    name="flag",
                    catch_response=True,
                ) as response:
                    if response.status_code != 200:
                        response.failure(f"flag {response.status_code}")
                    else:
                        acknowledge(self, position, response, picks)
        self.client.get(f"/attempts/{self.attempt_id}/review/", name="review")
        self.client.post(
            f"/attempts/{self.attempt_id}/submit/",
            {"csrfmiddlewaretoken": self.csrf},
            name="submit",
        )


class ClusterUser(Candidate):
    """`make cluster`: a candidate behaving as the exam page does, through the proxy.

    Whole mocks (all 65 items: open, answer, sometimes flag; review; submit), with a short
    think time. A save that fails (connection lost, 5xx) is retried the way static/js/exam.js
    retries it (1 s, doubling, up to 15 s) and counted as "save retried (page)"; any other
    failed request is a page the candidate would have seen as an error. Every request names its
    candidate (X-Candidate) so the proxy's log shows which app server served whom.
    """

    wait_time = constant(0)
    THINK = (0.05, 0.25)

    def on_start(self) -> None:
        super().on_start()
        self.client.headers["X-Candidate"] = self.username

    def think(self) -> None:
        time.sleep(random.uniform(*self.THINK))

    @task
    def sitting(self) -> None:
        self.start_mock()
        if self.attempt_id is None:
            return
        for position in range(1, 66):
            self.think()
            page = self.client.get(
                f"/attempts/{self.attempt_id}/questions/{position}/", name="question page"
            )
            wanted = int(MAX_RE.search(page.text).group(1)) if MAX_RE.search(page.text) else 1
            picks = tuple(sorted(random.sample(OPTIONS_RE.findall(page.text), wanted), key=int))
            self.page_save(position, picks, flagged=position % 9 == 0)
        self.client.get(f"/attempts/{self.attempt_id}/review/", name="review")
        self.client.post(
            f"/attempts/{self.attempt_id}/submit/",
            {"csrfmiddlewaretoken": self.csrf},
            name="submit",
        )

    def page_save(self, position: int, picks: tuple, *, flagged: bool) -> None:
        data = {"selected": list(picks), "csrfmiddlewaretoken": self.csrf}
        if flagged:
            data["flagged"] = "on"
        delay = 1.0
        for _ in range(8):
            with self.client.post(
                f"/attempts/{self.attempt_id}/questions/{position}/save/",
                data,
                name="save",
                catch_response=True,
            ) as response:
                if response.status_code == 200:
                    acknowledge(self, position, response, picks)
                    response.success()
                    return
                if 400 <= response.status_code < 500:
                    response.failure(f"save refused {response.status_code}")
                    return
                # What the page does: show "Not saved — retrying" and try again.
                response.success()
                self.environment.events.request.fire(
                    request_type="RETRY",
                    name="save retried (page)",
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
            time.sleep(delay)
            delay = min(delay * 2, 15)
        self.environment.events.request.fire(
            request_type="POST",
            name="save",
            response_time=0,
            response_length=0,
            exception=RuntimeError("save never acknowledged"),
            context={},
        )


class StartSubmitUser(Candidate):
    """Start a mock and submit it, again and again: the two requests a sitting makes once,
    measured on their own (each with its redirect: the first question, the result page)."""

    @task
    def sitting(self) -> None:
        self.start_mock()
        if self.attempt_id is not None:
            self.client.post(
                f"/attempts/{self.attempt_id}/submit/",
                {"csrfmiddlewaretoken": self.csrf},
                name="submit",
            )


# Capacity at the real exam's pace, compressed. The arithmetic (bench/capacity.py repeats it in
# the report): a real candidate has 190 minutes for 65 items, 175 s an item. On each item the
# page asks for the question (1), saves the answer (1), changes one answer in four (0.25 more
# saves) and flags one item in nine (0.11); while the page is visible its heartbeat asks the
# server's clock every 30 s (static/js/exam.js), 5.8 times an item; once a mock it starts,
# reviews and submits. That is 8.25 requests per 175 s, 0.047 a second per candidate.
# A virtual candidate lives the same timeline COMPRESSION times faster (175/C s an item, a
# heartbeat every 30/C s), so it makes the requests of C real candidates in the same mix, and V
# virtual candidates offer the load of V x C candidates at real pace. What compression cannot
# keep: one virtual candidate sends its requests one after another where C real ones could
# overlap, which matters only once a response takes as long as the gap between two requests
# (0.36 s at C = 60); the 200 ms criterion stops the steps well before that.
REAL_SECONDS_PER_ITEM = 190 * 60 / 65
HEARTBEAT_SECONDS = 30
COMPRESSION = float(os.environ.get("BENCH_PACE_COMPRESSION", "60"))
# Burst: every candidate is logged in and on the start page before this moment (epoch seconds);
# each presses Start at a random instant of the window that follows.
BURST_AT = float(os.environ.get("BENCH_BURST_AT", "0"))
BURST_WINDOW = float(os.environ.get("BENCH_BURST_WINDOW", "20"))


class PacedUser(Candidate):
    """A candidate at (compressed) exam pace: opens each item, answers it, changes one answer in
    four, flags one item in nine, sends the page's heartbeat while thinking, and after the 65th
    item reviews, submits and starts the next mock. Candidates join at a random item of their
    mock (a class in full swing), so within a step some of them finish and start again at the
    rate real ones would; their first start and their logging in happen while the load ramps up
    and are left out of the step's figures (locust resets its statistics once every candidate
    is spawned)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        super().on_start()
        self.start_mock(name="start mock (ramp)")
        self.position = random.randint(1, 65)
        self.next_beat = time.monotonic() + random.uniform(0, HEARTBEAT_SECONDS / COMPRESSION)

    @task
    def item(self) -> None:
        # Paced by the schedule, not by the responses: the time a request takes is part of
        # the time on the item, as it is for a real candidate.
        ends = time.monotonic() + random.uniform(0.5, 1.5) * REAL_SECONDS_PER_ITEM / COMPRESSION
        if self.attempt_id is None:
            self.start_mock()
            self.position = 1
        elif self.position >= 65:
            self.client.get(f"/attempts/{self.attempt_id}/review/", name="review")
            self.client.post(
                f"/attempts/{self.attempt_id}/submit/",
                {"csrfmiddlewaretoken": self.csrf},
                name="submit",
            )
            self.start_mock()  # lands on the first item
            self.position = 1
        else:
            self.position += 1
            self.client.get(
                f"/attempts/{self.attempt_id}/questions/{self.position}/", name="question page"
            )
        if self.attempt_id is not None:
            self.save(self.position)
            if random.random() < 0.25:
                self.save(self.position)
            if self.position % 9 == 0:
                self.save(self.position, flag=True)
        self.think_until(ends)

    def think_until(self, ends: float) -> None:
        """Wait for the item's time to run out, sending the heartbeat on its beat meanwhile.
        A beat that falls due while a request is in flight is sent late, never twice
        (setInterval in a browser does not catch up either)."""
        while (now := time.monotonic()) < ends:
            if self.next_beat >= ends:
                time.sleep(ends - now)
                return
            time.sleep(max(0.0, self.next_beat - now))
            if self.attempt_id is not None:
                self.client.get(
                    f"/attempts/{self.attempt_id}/clock/",
                    params={"position": self.position},
                    name="heartbeat",
                )
            self.next_beat = max(self.next_beat + HEARTBEAT_SECONDS / COMPRESSION, time.monotonic())


class BurstUser(Candidate):
    """A class starting together: every candidate logs in and opens the start page first, then
    presses Start at a random instant of the window (BENCH_BURST_AT, BENCH_BURST_WINDOW s), so
    that the window measures starting alone."""

    wait_time = constant(3600)

    def on_start(self) -> None:
        super().on_start()
        self.client.get("/mock/", name="start page")
        press = BURST_AT + random.uniform(0, BURST_WINDOW)
        if time.time() > press:
            # Not ready in time (logging in took longer than the harness allowed): counted, so
            # the report can say the window was not kept.
            self.environment.events.request.fire(
                request_type="LATE",
                name="late for the window",
                response_time=0,
                response_length=0,
                exception=None,
                context={},
            )
        time.sleep(max(0.0, press - time.time()))
        self.start_mock()

    @task
    def idle(self) -> None:
        pass


class AnalysisUser(HttpUser):
    """An author reading the admin's item analysis (the list view, first page)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="login page")
        self.client.post(
            "/accounts/login/",
            {
                "username": "benchstaff",
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="login",
        ).raise_for_status()

    @task
    def item_analysis(self) -> None:
        with self.client.get(
            "/admin/quiz/itemstatistics/", name="item analysis", catch_response=True
        ) as response:
            if response.status_code != 200 or "result_list" not in response.text:
                response.failure(f"item analysis {response.status_code}")
