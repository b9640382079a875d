"""an IPv6 client holds a whole /64 (ISPs hand one to every home line,
clouds to every machine); the limits "per client address" count each of its 2**64
addresses apart, so one host escapes the per-address limits and, from six of its
addresses, locks any account's owner out everywhere."""
import pytest
from limits import parse

from tests.factories import PASSWORD

NET = "2001:db8:1:2::"  # one /64: one client


@pytest.fixture(autouse=True)
def _shared_storage(redis_url, app):
    from limits.storage import RedisStorage

    from trustfund.extensions import limiter

    assert isinstance(limiter.storage, RedisStorage)


def _limit(app, key):
    return parse(app.config[key]).amount


def _login(app, email, password, address):
    return app.test_client().post("/login", data={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": address})


def test_one_ipv6_64_is_one_client_for_the_login_address_limit(app, users):
    limit = _limit(app, "LOGIN_FAILURES_PER_ADDRESS")
    for i in range(limit):
        assert _login(app, f"probe{i}@test.example", "wrong", f"{NET}{i + 1:x}").status_code == 200
    # The same host, its next address: the per-address limit should refuse it.
    assert _login(app, "officer@test.example", PASSWORD, f"{NET}ff").status_code == 429


def test_one_ipv6_host_cannot_lock_the_owner_out_from_elsewhere(app, users):
    per_account = _limit(app, "LOGIN_FAILURES_PER_ACCOUNT")
    per_pair = _limit(app, "LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS")
    # One attacker host, a few addresses of its /64, fewer failures from each than the pair's limit.
    for i in range(per_account):
        _login(app, "officer@test.example", "wrong", f"{NET}{i // (per_pair - 1) + 1:x}")
    # The owner, from their own office: "failures from one address cannot lock the
    # account's owner out from another" (README).
    assert _login(app, "officer@test.example", PASSWORD, "198.51.100.7").status_code == 302


def test_one_ipv6_64_is_one_client_for_the_reset_address_limit(app, users):
    limit = _limit(app, "PASSWORD_RESETS_PER_ADDRESS")
    for i in range(limit):
        answer = app.test_client().post("/password/forgot", data={"email": f"victim{i}@example.org"},
                                        environ_base={"REMOTE_ADDR": f"{NET}{i + 1:x}"})
        assert answer.status_code == 302
    answer = app.test_client().post("/password/forgot", data={"email": "another@example.org"},
                                    environ_base={"REMOTE_ADDR": f"{NET}ff"})
    assert answer.status_code == 429  # else one host writes ResetRequest rows without end
