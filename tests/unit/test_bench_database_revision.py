"""The benchmarks rebuild their cached scale database when the migrations' head moves:
a data-only migration changes no table, and the app serves nothing on a database at
another revision (schema_guard), so bench_pages would have measured refusals. (A
colleague's review.)"""
from __future__ import annotations


def test_a_cached_bench_database_at_an_older_revision_is_not_reused(tmp_path, monkeypatch, backend):
    import pytest

    if backend != "sqlite":
        pytest.skip("the cached scale databases are SQLite files")
    from flask_migrate import stamp

    from benchmarks import common
    from trustfund import create_app
    from trustfund.extensions import db
    from trustfund.maintenance.schema import schema_problem

    monkeypatch.setattr(common, "BENCH_DIR", tmp_path)
    monkeypatch.setattr(common, "seed", lambda url, scale: 0.0)  # no seed-demo run here
    url, _ = common.sqlite_db(1)  # built now: at the migrations' head
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        stamp(revision="0039")  # as a database built before 0040 was written
        db.engine.dispose()
    url, _ = common.sqlite_db(1)  # the benchmarks ask for it again
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        problem = schema_problem()
        db.engine.dispose()
    assert problem is None, f"the benchmarks reuse a database the app refuses: {problem}"
