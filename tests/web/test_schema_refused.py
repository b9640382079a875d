"""The web app serves nothing on a database at another schema than this version's, as
the commands refuse to run (cli.on_upgraded_database): gunicorn started before `flask
db upgrade` answered pages and ended a write in a bare 500 ("no such column"), and at
an old enough revision sign-in itself failed; a backup of an older version restored
under a running worker did the same. Now: 503, in the visitor's language, saying the
database must be upgraded, until it is. (Found by a colleague's review of upgrades.)"""
from __future__ import annotations

import pytest

WORDS = "Its database is not yet at this version of Trustfund"


@pytest.fixture
def upgraded_to(empty_database_url):
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    apps = []

    def make(revision: str, **config):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url, **config})
        with app.app_context():
            upgrade(revision=revision)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_worker_on_an_older_schema_refuses_until_it_is_upgraded(upgraded_to):
    from flask_migrate import upgrade

    app = upgraded_to("0038")
    browser = app.test_client()
    for path in ("/login", "/dashboard/", "/"):
        answer = browser.get(path)
        assert answer.status_code == 503, path
        assert WORDS in answer.get_data(as_text=True)
        assert "flask --app trustfund db upgrade" in answer.get_data(as_text=True)
    assert browser.post("/login", data={"email": "a@b.c", "password": "x"}).status_code == 503
    style = browser.get("/static/app.css")
    style.close()
    assert style.status_code == 200  # the page keeps its looks
    french = browser.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.status_code == 503 and 'lang="fr"' in french.get_data(as_text=True)
    assert WORDS not in french.get_data(as_text=True)
    arabic = browser.get("/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "bootstrap.rtl.min.css" in arabic
    with app.app_context():
        upgrade()
    assert browser.get("/login").status_code == 200  # checked again while the problem stood


def test_a_database_stamped_by_a_newer_version_is_refused(upgraded_to):
    import sqlalchemy as sa

    from trustfund.extensions import db

    app = upgraded_to("head")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    assert app.test_client().get("/login").status_code == 503


def test_a_database_restored_to_an_older_schema_under_a_running_worker(upgraded_to):
    """The worker checked at its first request; a failure the schema explains is then
    answered with the refusal, and so is every request after it until the upgrade."""
    from flask_migrate import downgrade, upgrade

    from tests.factories import log_in, make_user

    app = upgraded_to("head", PROPAGATE_EXCEPTIONS=False)  # as in production: the 500 page
    with app.app_context():
        admin = make_user("admin", "admin@un.org")
        browser = app.test_client()
        log_in(browser, admin)
    assert browser.get("/admin/mail/").status_code == 200
    with app.app_context():
        downgrade(revision="0038")  # the outbox loses two columns, as in an older version's backup
    answer = browser.get("/admin/mail/")  # reads them: the database's error, explained
    assert answer.status_code == 503 and WORDS in answer.get_data(as_text=True)
    assert browser.get("/login").status_code == 503  # every request after it, until...
    with app.app_context():
        upgrade()
    assert browser.get("/admin/mail/").status_code == 200


def test_an_error_the_schema_does_not_explain_is_the_500_page(upgraded_to, monkeypatch):
    from trustfund.mail import routes

    app = upgraded_to("head", PROPAGATE_EXCEPTIONS=False)
    from tests.factories import log_in, make_user

    with app.app_context():
        admin = make_user("admin", "admin@un.org")
        browser = app.test_client()
        log_in(browser, admin)

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(routes, "render_template", broken)
    answer = browser.get("/admin/mail/")
    assert answer.status_code == 500 and "Something went wrong" in answer.get_data(as_text=True)


def test_the_refusal_speaks_the_language_chosen_in_the_menu(upgraded_to):
    browser = upgraded_to("0038").test_client()
    with browser.session_transaction() as session:
        session["lang"] = "fr"  # chosen in the language menu, for this session
    answer = browser.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert answer.status_code == 503
    html = answer.get_data(as_text=True)
    assert 'lang="fr"' in html and WORDS not in html, \
        "the refusal ignored the language the visitor chose and spoke the browser's"
