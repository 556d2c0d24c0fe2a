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
