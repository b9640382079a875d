"""A working day of the fund under load (bench_load.py runs it; see its docstring).

Users, as many of each kind as bench_load.py asks (fixed counts): MPTF officers
recording deposits, reversing some of them, proposing interest and confirming the
interest a colleague proposed (interest takes two officers); SRSG staff
entering travel-grant requests, and other SRSG staff approving them (nobody
approves a request they entered); donors reading their portal and statement; an
auditor downloading exports. Each logs in with its own account (a login ends the
account's earlier session) and works with a few seconds' thought between actions.

Everything the scenario recorded (deposits, reversals, interest, grant requests)
is written to $LOAD_RECORD when the run stops, for bench_load.py to check that
each is in the database exactly once. A request answered with an error (a status
of 400 or more, or a form shown again with an error message) is a failure.
"""

from __future__ import annotations

import datetime as dt
import html
import http.cookiejar
import itertools
import json
import os
import random
import re
import threading
import uuid

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_DATA"], encoding="utf-8") as _handle:
    DATA = json.load(_handle)
PASSWORD = DATA["password"]
RUN = DATA["run"]  # marks what this run records: a database may hold earlier runs' entries
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME, VALUE = re.compile(r'name="([^"]+)"'), re.compile(r'value="([^"]*)"')
RATE = re.compile(r'name="rate"[^>]*value="([^"]*)"')
ERROR = re.compile(r'class="(?:invalid-feedback[^"]*|alert alert-danger[^"]*)"[^>]*>'
                   r'(?:\s*<[^>]+>)*\s*([^<]{0,160})')

RECORDED: dict[str, list] = {"deposits": [], "reversals_proposed": [], "reversals": [], "interest": [],
                             "interest_confirmed": [], "grants": [], "approvals": []}
_lock = threading.Lock()
_pending_grants: list[int] = []  # requests entered, waiting for a colleague's decision
# Interest proposed, waiting for another officer: (proposal id, proposer's email, note).
_pending_interest: list[tuple[int, str, str]] = []
# A deposit's reversal proposed, waiting for another officer: (proposal id, proposer's email, deposit id).
_pending_reversals: list[tuple[int, str, int]] = []
WITHDRAW_REVERSAL = re.compile(r'/contributions/deposits/reversals/(\d+)/withdraw')
_accounts = {kind: itertools.cycle(emails) for kind, emails in DATA["accounts"].items()}


def _record(kind: str, item) -> None:
    with _lock:
        RECORDED[kind].append(item)


@events.test_stop.add_listener
def _write_record(**_kwargs) -> None:
    with open(os.environ["LOAD_RECORD"], "w", encoding="utf-8") as handle:
        json.dump(RECORDED, handle)


# Production marks the session cookie Secure (the app sits behind TLS); this client
# talks plain HTTP to gunicorn on 127.0.0.1, as the TLS proxy would, so it sends
# Secure cookies over HTTP too. (requests builds a cookie jar per request with the
# default policy: the policy's class is where this can be said.)
http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


class Staff(HttpUser):
    abstract = True
    kind = ""
    # A person at work: a page read or a form filled, then a few seconds to some
    # tens of seconds before the next action.
    wait_time = between(5, 20)

    def on_start(self) -> None:
        with _lock:
            self.email = next(_accounts[self.kind])
        token = self._token("/login", name="login page")
        with self.client.post("/login", data={"email": self.email, "password": PASSWORD,
                                              "csrf_token": token},
                              allow_redirects=False, name="login", catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login refused for {self.email}: HTTP {response.status_code}")

    def _token(self, path: str, name: str) -> str:
        """GET a page holding a form; its CSRF token."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            match = CSRF.search(response.text)
            if response.status_code != 200 or not match:
                response.failure(f"no form on {path}: HTTP {response.status_code}")
                return ""
            self.last_page = response.text
            return match.group(1)

    @staticmethod
    def _hidden(page: str) -> dict:
        """The hidden fields of a page's forms (the one-time form token, the version
        of an edit form, a confirmation's fields), as a browser would send them."""
        fields = {}
        for tag in HIDDEN.findall(page or ""):
            name, value = NAME.search(tag), VALUE.search(tag)
            if name:
                fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
        return fields

    def _post(self, path: str, data: dict, name: str) -> str | None:
        """POST a form that should be accepted (a redirect), with the hidden fields of
        the form's page; a decision that asks for confirmation is confirmed (the
        confirmation page's hidden fields posted back, as its button does). The
        redirect's target."""
        data = {**self._hidden(getattr(self, "last_page", "")), **data}
        with self.client.post(path, data=data, name=name, allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code == 200 and 'name="confirmed"' in (response.text or ""):
                confirm = {**data, **self._hidden(response.text)}
                response.success()
                return self._post_confirmed(path, confirm, name)
            if response.status_code != 302:
                error = ERROR.search(response.text or "")
                response.failure(f"{name}: HTTP {response.status_code}"
                                 + (f": {error.group(1).strip()}" if error else ""))
                return None
            return response.headers.get("Location", "")

    def _post_confirmed(self, path: str, data: dict, name: str) -> str | None:
        with self.client.post(path, data=data, name=f"{name} (confirmed)", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                error = ERROR.search(response.text or "")
                response.failure(f"{name} (confirmed): HTTP {response.status_code}"
                                 + (f": {error.group(1).strip()}" if error else ""))
                return None
            return response.headers.get("Location", "")

    def _read(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name}: HTTP {response.status_code}")


class Officer(Staff):
    """Records deposits against open commitments, proposes the reversal of some and
    interest, and confirms a colleague's."""

    kind = "officer"
    fixed_count = DATA["users"]["officer"]

    def on_start(self) -> None:
        super().on_start()
        self.mine: list[int] = []  # deposits recorded by this user, not reversed

    @task(5)
    def record_deposit(self) -> None:
        commitment = random.choice(DATA["commitments"])
        path = f"/contributions/commitments/{commitment['id']}/deposits/new"
        token = self._token(path, name="deposit form")
        if not token:
            return
        rate = RATE.search(self.last_page)
        reference = f"LOAD-{RUN}-{uuid.uuid4().hex[:12]}"
        target = self._post(path, {"csrf_token": token, "value_date": dt.date.today().isoformat(),
                                   "amount": str(random.randint(10, 900)),
                                   "rate": rate.group(1) if rate else "", "bank_reference": reference},
                            name="record deposit")
        if target:
            deposit_id = int(target.rstrip("/").rsplit("/", 1)[1])
            self.mine.append(deposit_id)
            _record("deposits", [reference, deposit_id])
            self._read(target, name="deposit page")

    @task(1)
    def reverse_deposit(self) -> None:
        if not self.mine:
            return
        deposit_id = self.mine.pop(random.randrange(len(self.mine)))
        path = f"/contributions/deposits/{deposit_id}/reverse"
        token = self._token(path, name="reversal form")
        if token and self._post(path, {"csrf_token": token, "reason": "Load test: entered twice"},
                                name="propose reversal"):
            _record("reversals_proposed", deposit_id)
            # A reversal takes two officers: the deposit's page offers its proposer Withdraw.
            token = self._token(f"/contributions/deposits/{deposit_id}", name="deposit page")
            found = WITHDRAW_REVERSAL.search(self.last_page) if token else None
            if found:
                with _lock:
                    _pending_reversals.append((int(found.group(1)), self.email, deposit_id))

    @task(1)
    def confirm_reversal(self) -> None:
        """Confirm a deposit's reversal a colleague proposed (never one's own)."""
        with _lock:
            theirs = next((item for item in _pending_reversals if item[1] != self.email), None)
            if theirs is not None:
                _pending_reversals.remove(theirs)
        if theirs is None:
            return
        proposal_id, _proposer, deposit_id = theirs
        token = self._token(f"/contributions/deposits/{deposit_id}", name="deposit page")
        if token and self._post(f"/contributions/deposits/reversals/{proposal_id}/confirm",
                                {"csrf_token": token}, name="confirm reversal"):
            _record("reversals", deposit_id)

    @task(1)
    def propose_interest(self) -> None:
        """Interest takes two officers: this one proposes it, another confirms it
        (confirm_interest); the page names the proposal by its card."""
        token = self._token("/contributions/interest/new", name="interest form")
        note = f"LOAD-{RUN}-{uuid.uuid4().hex[:12]}"
        if token and self._post("/contributions/interest/new",
                                {"csrf_token": token, "value_date": dt.date.today().isoformat(),
                                 "usd_amount": f"{random.randint(1, 500)}.{random.randint(0, 99):02d}",
                                 "note": note}, name="propose interest"):
            _record("interest", note)
            with self.client.get("/contributions/interest", name="interest page",
                                 catch_response=True) as page:
                found = re.search(r'id="waiting-interest-(\d+)"(?:(?!id="waiting-interest-).)*?'
                                  + re.escape(note), page.text or "", re.S)
                if page.status_code != 200 or not found:
                    page.failure(f"interest page: HTTP {page.status_code}, proposal {note} not shown")
                    return
            with _lock:
                _pending_interest.append((int(found.group(1)), self.email, note))

    @task(1)
    def confirm_interest(self) -> None:
        """Confirm interest a colleague proposed (never one's own: the page offers none)."""
        with _lock:
            theirs = next((item for item in _pending_interest if item[1] != self.email), None)
            if theirs is not None:
                _pending_interest.remove(theirs)
        if theirs is None:
            return
        proposal_id, _proposer, note = theirs
        token = self._token("/contributions/interest", name="interest page")
        if token and self._post(f"/contributions/interest/waiting/{proposal_id}/confirm",
                                {"csrf_token": token}, name="confirm interest"):
            _record("interest_confirmed", note)

    @task(2)
    def deposits_list(self) -> None:
        self._read("/contributions/deposits", name="deposits list")

    @task(2)
    def dashboard(self) -> None:
        self._read("/dashboard/", name="dashboard (officer)")

    @task(1)
    def pools(self) -> None:
        self._read("/contributions/pools", name="pools")


class Requester(Staff):
    """SRSG staff entering travel-grant requests for delegates of LDCs."""

    kind = "requester"
    fixed_count = DATA["users"]["requester"]

    @task(4)
    def request_grant(self) -> None:
        event = random.choice(DATA["events"])
        token = self._token(f"/travel/grants/new?event={event['id']}", name="grant request form")
        if not token:
            return
        start, end = dt.date.fromisoformat(event["start_on"]), dt.date.fromisoformat(event["end_on"])
        name = f"LOAD {RUN} {uuid.uuid4().hex[:12]}"
        target = self._post("/travel/grants/new", {
            "csrf_token": token, "event_id": event["id"], "delegate_name": name,
            "country_code": random.choice(DATA["countries"]), "origin_city": "Capital",
            "travel_from": (start - dt.timedelta(days=1)).isoformat(),
            "travel_to": (end + dt.timedelta(days=1)).isoformat(),
            "airfare": f"{random.randint(400, 1800)}.00"}, name="request grant")
        if target:
            grant_id = int(target.rstrip("/").rsplit("/", 1)[1])
            _record("grants", [name, grant_id])
            with _lock:
                _pending_grants.append(grant_id)
            self._read(target, name="grant page")

    @task(2)
    def queue(self) -> None:
        self._read("/travel/queue", name="review queue")

    @task(1)
    def dashboard(self) -> None:
        self._read("/dashboard/", name="dashboard (SRSG staff)")


class Approver(Staff):
    """SRSG staff approving colleagues' requests (never their own: they enter none)."""

    kind = "approver"
    fixed_count = DATA["users"]["approver"]

    @task(4)
    def approve(self) -> None:
        with _lock:
            grant_id = _pending_grants.pop(0) if _pending_grants else None
        if grant_id is None:
            self._read("/travel/queue", name="review queue")
            return
        token = self._token(f"/travel/grants/{grant_id}", name="grant page")
        if token and self._post(f"/travel/grants/{grant_id}/approve",
                                {"csrf_token": token, "pool_id": "0"}, name="approve grant"):
            _record("approvals", grant_id)

    @task(2)
    def queue(self) -> None:
        self._read("/travel/queue", name="review queue")

    @task(1)
    def grants(self) -> None:
        self._read("/travel/grants", name="grants list")

    @task(1)
    def dashboard(self) -> None:
        self._read("/dashboard/", name="dashboard (SRSG staff)")


class Donor(Staff):
    """A donor reading its portal and its statement."""

    kind = "donor"
    fixed_count = DATA["users"]["donor"]
    wait_time = between(10, 30)

    def on_start(self) -> None:
        super().on_start()
        self.donor_id = DATA["donor_of"][self.email]

    @task(3)
    def portal(self) -> None:
        self._read("/statements/portal", name="donor portal")

    @task(2)
    def statement(self) -> None:
        self._read(f"/statements/{self.donor_id}", name="donor statement")


class Auditor(Staff):
    """An auditor downloading exports and reading the audit trail."""

    kind = "auditor"
    fixed_count = DATA["users"]["auditor"]
    wait_time = between(10, 30)

    def on_start(self) -> None:
        super().on_start()
        # The heaviest download, by each auditor at least once: with two auditors
        # choosing among five tasks, a run could otherwise never ask for it (the
        # run of 2026-12-06 15:02 did not) and say nothing of its budget.
        self.dashboard_export()

    @task(2)
    def deposits_of_a_donor(self) -> None:
        self._read(f"/contributions/deposits?donor={random.choice(DATA['donor_ids'])}&format=xlsx",
                   name="export: a donor's deposits (.xlsx)")

    @task(1)
    def dashboard_export(self) -> None:
        self._read("/dashboard/?format=xlsx", name="export: dashboard (.xlsx)")

    @task(1)
    def grants_of_an_event(self) -> None:
        self._read(f"/travel/grants?event={random.choice(DATA['events'])['id']}&format=xlsx",
                   name="export: an event's grants (.xlsx)")

    @task(1)
    def statement_export(self) -> None:
        self._read(f"/statements/{random.choice(DATA['donor_ids'])}?format=xlsx",
                   name="export: a donor's statement (.xlsx)")

    @task(2)
    def audit_trail(self) -> None:
        self._read("/admin/audit", name="audit trail")
