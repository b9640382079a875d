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


def _fresh_url(backend, request, sqlite_dir) -> str:
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(sqlite_dir, f'migr-{uuid.uuid4().hex}.sqlite3')}"
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("TEST_POSTGRES_URL given: no server to create a fresh database in")
    return server.createdb(f"migr_{uuid.uuid4().hex[:12]}")


def _indexes_and_checks(conn) -> dict:
    """Every index as the database defines it (column order, DESC) and every CHECK
    constraint, which Alembic's comparison of the schema leaves out."""
    if conn.dialect.name == "sqlite":
        indexes = dict(conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")).all())
    else:
        indexes = dict(conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'")).all())
    inspector = sa.inspect(conn)
    checks = {(table, c["name"]): " ".join(c["sqltext"].split())
              for table in inspector.get_table_names() if table != "alembic_version"
              for c in inspector.get_check_constraints(table)}
    return {"indexes": indexes, "checks": checks}


def test_upgrade_gives_the_models_indexes_and_check_constraints(backend, request, sqlite_dir):
    """A table rebuilt by a migration (SQLite's batch mode) keeps its indexes as the
    models define them, DESC included, and every CHECK constraint of the models."""
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    found = []
    for build in ("upgrade", "create_all"):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _fresh_url(backend, request, sqlite_dir)})
        with app.app_context():
            try:
                upgrade() if build == "upgrade" else db.create_all()
                with db.engine.connect() as conn:
                    found.append(_indexes_and_checks(conn))
            finally:
                db.session.remove()
                db.engine.dispose()
    migrated, models = found
    assert migrated["indexes"] == models["indexes"]
    assert migrated["checks"] == models["checks"]
