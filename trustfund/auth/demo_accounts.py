"""The demo's accounts, whose passwords the README publishes. They live here, below
the demo, so that signing in can refuse those passwords where no demo data belongs
(auth.services.authenticate under the production configuration): a production server
started on a database that holds the demo (a copy of one, or the instance database
`make run` made, production's default when DATABASE_URL is unset) would otherwise let
anyone in as its admin."""
from __future__ import annotations

# Demo accounts only: never use these passwords anywhere real.
DEMO_ACCOUNTS = [
    ("admin@trustfund.demo", "demo-admin-pass", "admin"),
    # A second admin: a change giving power over money or accounts (a new SRSG staff
    # account, a typed password for one...) waits for another admin's confirmation.
    ("admin2@trustfund.demo", "demo-admin2-pass", "admin"),
    ("officer@trustfund.demo", "demo-officer-pass", "mptf_officer"),
    # A second MPTF officer: the fund's own entries (direct costs, bank charges, other
    # income) and their reversals wait for another officer's confirmation.
    ("officer2@trustfund.demo", "demo-officer2-pass", "mptf_officer"),
    ("srsg@trustfund.demo", "demo-srsg-pass", "srsg_staff"),
    ("srsg2@trustfund.demo", "demo-srsg2-pass", "srsg_staff"),
    ("donor@trustfund.demo", "demo-donor-pass", "donor"),
    ("auditor@trustfund.demo", "demo-auditor-pass", "auditor"),
]

PUBLISHED_PASSWORDS = frozenset(password for _email, password, _role in DEMO_ACCOUNTS)
