"""A change that waits for a second administrator is not saved: nothing has changed
yet. The flash after proposing a setting's new value, or an account that gives power
over money, said "Saved." while the setting and the account were unchanged; it says
what every other proposal in the application says: proposed, nothing changes until
another administrator confirms it."""
import sqlalchemy as sa

from trustfund.admin.models import FEE_RATE, Setting
from trustfund.auth.models import User


def _flash(page: str) -> str:
    import re
    found = re.findall(r'<div class="alert alert-success[^"]*"[^>]*>(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", f).strip() for f in found)


def test_a_proposed_setting_value_is_not_called_saved(client, login_as, db):
    from trustfund.admin.setting_changes import form_version

    login_as("admin")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Setting))
    page = client.post(f"/admin/settings/{FEE_RATE}", data={
        "value": "0.02", "effective_from": "2018-01-01", "version": form_version(FEE_RATE)},
        follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)) == before  # nothing saved
    said = _flash(page)
    assert said, page
    assert not said.startswith("Saved"), said
    assert "propos" in said.lower(), said


def test_a_proposed_account_is_not_called_saved(client, login_as, db):
    login_as("admin")
    page = client.post("/admin/users/new", data={
        "email": "new.officer@example.org", "name": "New officer", "role": "mptf_officer",
        "donor_id": 0, "active": "y", "password": "a long enough password"},
        follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "new.officer@example.org")) is None
    said = _flash(page)
    assert said, page
    assert not said.startswith("Saved"), said
    assert "propos" in said.lower(), said
