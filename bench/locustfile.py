"""Simulated candidates for `make bench` (locust, headless). Loopback only.

Scenarios, one per user class, so each request type is measured on its own at a given
concurrency: TrivialUser (baseline a), TouchUser (baseline b), QuestionUser (question page),
SaveUser (autosave), and ExamUser (the whole flow: start, open items, save single and multiple
responses, flag, review, submit).
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
        self.username = f"bench{next(_accounts):04d}"
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

    def start_mock(self) -> None:
        response = self.client.post(
            "/mock/", {"csrfmiddlewaretoken": self.csrf}, name="start mock", allow_redirects=True
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


# The real exam's pace: 190 minutes for 65 items, about 175 s an item. A paced candidate works
# COMPRESSION times faster, so one of them asks what COMPRESSION candidates at real pace ask.
REAL_SECONDS_PER_ITEM = 190 * 60 / 65
COMPRESSION = float(os.environ.get("BENCH_PACE_COMPRESSION", "120"))
ACCOUNT_OFFSET = int(os.environ.get("BENCH_ACCOUNT_OFFSET", "0"))


class PacedUser(Candidate):
    """A candidate at (compressed) exam pace: reads an item, answers it, changes one answer in
    four, flags one item in nine, reviews and submits at the end, then sits another mock.
    Starting the first mock happens while the load ramps up ("start mock (ramp)"): the class
    start is measured on its own by BurstUser."""

    def wait_time(self) -> float:
        return random.uniform(0.5, 1.5) * REAL_SECONDS_PER_ITEM / COMPRESSION

    def on_start(self) -> None:
        super().on_start()
        response = self.client.post(
            "/mock/", {"csrfmiddlewaretoken": self.csrf}, name="start mock (ramp)"
        )
        match = re.search(r"/attempts/(\d+)/questions/", response.url)
        self.attempt_id = int(match.group(1)) if match else None
        self.position = 0

    @task
    def next_item(self) -> None:
        if self.attempt_id is None:
            return
        self.position += 1
        if self.position > 65:
            self.client.get(f"/attempts/{self.attempt_id}/review/", name="review")
            self.client.post(
                f"/attempts/{self.attempt_id}/submit/",
                {"csrfmiddlewaretoken": self.csrf},
                name="submit",
            )
            self.start_mock()
            self.position = 0
            return
        self.client.get(
            f"/attempts/{self.attempt_id}/questions/{self.position}/", name="question page"
        )
        self.save(self.position)
        if random.random() < 0.25:
            self.save(self.position)
        if self.position % 9 == 0:
            self.save(self.position, flag=True)


class BurstUser(Candidate):
    """A class starting together: each candidate logs in and presses Start once (locust spawns
    them evenly over the window), then stays on the first question."""

    wait_time = constant(60)

    def on_start(self) -> None:
        self.username = f"bench{ACCOUNT_OFFSET + next(_accounts):04d}"
        self.client.get("/accounts/login/", name="login page")
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf},
            name="login",
        ).raise_for_status()
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
