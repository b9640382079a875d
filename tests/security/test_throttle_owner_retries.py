"""A login refused by the throttle (the password never checked) is not counted as a
failure of its own (account, address) pair (a colleague's review of throttling): an
owner locked out by failures spread over many addresses who tried a few times
meanwhile stayed locked out from their own address for a whole pair window after the
account-wide lock was over, up to twice the "up to 15 minutes" the message promises."""
import time

import pytest

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _shared_storage(redis_url, app):
    pass


def test_the_owners_own_refused_retries_do_not_extend_the_lock(another_app, users):
    # The configured limits with shorter windows, all of one granularity (seconds) so
    # that Flask-Limiter tests them in the same order as the configured ones (pair,
    # account, address): the account-wide window ends first.
    app = another_app(LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS="5 per 60 seconds",
                      LOGIN_FAILURES_PER_ACCOUNT="8 per 10 seconds",
                      LOGIN_FAILURES_PER_ADDRESS="20 per 60 seconds")

    def login(password, address):
        return app.test_client().post("/login", data={"email": "officer@test.example", "password": password},
                                      environ_base={"REMOTE_ADDR": address})

    for i in range(8):  # a botnet, one failure per address (well inside the window, even on a busy machine)
        assert login("wrong", f"10.3.{i}.1").status_code == 200
    owner = "198.51.100.7"
    for _ in range(5):  # the owner tries meanwhile, with the right password
        assert login(PASSWORD, owner).status_code == 429
    time.sleep(10.5)  # the account-wide lock is over
    assert login(PASSWORD, owner).status_code == 302
