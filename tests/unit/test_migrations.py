"""`flask db upgrade` on an empty database gives exactly the models' schema."""
import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


@pytest.fixture
def empty_database_url(backend, request, sqlite_dir):
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(sqlite_dir, f'migr-{uuid.uuid4().hex}.sqlite3')}"
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("TEST_POSTGRES_URL given: no server to create a fresh database in")
    return server.createdb(f"migr_{uuid.uuid4().hex[:12]}")


def test_upgrade_from_empty_matches_the_models_and_downgrade_empties(empty_database_url):
    from flask_migrate import downgrade, upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            _upgrade_compare_downgrade(db, upgrade, downgrade)
        finally:
            db.session.remove()
            db.engine.dispose()


def _upgrade_compare_downgrade(db, upgrade, downgrade):
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"migrations and models differ: {diff}"
    downgrade(revision="base")
    with db.engine.connect() as conn:
        remaining = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
    assert remaining == set()
