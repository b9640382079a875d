"""the (account, address) key is "login-pair:{address}:{account}";
IPv6 addresses hold colons, and the login form takes any text as the email, so a
neighbour at 2001:db8::1 typing "5:officer@test.example" counts failures on the
owner's pair at 2001:db8::1:5 and locks the owner out from their own address."""
import pytest

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _shared_storage(redis_url, app):
    pass


def test_failures_on_another_text_from_another_address_do_not_lock_the_owners_pair(app, users):
    for _ in range(5):
        answer = app.test_client().post("/login", data={"email": "5:officer@test.example", "password": "x"},
                                        environ_base={"REMOTE_ADDR": "2001:db8::1"})
        assert answer.status_code == 200
    owner = app.test_client().post("/login", data={"email": "officer@test.example", "password": PASSWORD},
                                   environ_base={"REMOTE_ADDR": "2001:db8::1:5"})
    assert owner.status_code == 302
