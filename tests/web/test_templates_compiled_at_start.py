"""A worker compiles every template as it starts (wsgi.py, trustfund.compile_templates):
after each start of the app, no first view of a page waits for Jinja to compile its
templates, in any worker."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.factories import log_in

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(str(p.relative_to(ROOT / "templates")) for p in (ROOT / "templates").rglob("*")
                   if p.is_file())


def test_a_worker_started_by_wsgi_holds_every_template_compiled(database_url, redis_url):
    env = dict(os.environ, TRUSTFUND_CONFIG="testing", TEST_DATABASE_URL=database_url,
               RATELIMIT_STORAGE_URI=redis_url, PYTHONPATH=str(ROOT))
    script = ("import wsgi\n"
              "print('\\n'.join(sorted(key[1] for key in wsgi.app.jinja_env.cache.keys())))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == TEMPLATES


def test_pages_render_without_compiling_once_compiled(another_app, users, monkeypatch):
    from trustfund import compile_templates

    fresh = another_app()
    assert compile_templates(fresh) == len(TEMPLATES)
    compiled = []
    original = fresh.jinja_env.compile
    monkeypatch.setattr(fresh.jinja_env, "compile",
                        lambda *a, **k: compiled.append(a[1:3]) or original(*a, **k))
    assert fresh.test_client().get("/login").status_code == 200
    for role in ("admin", "mptf_officer", "srsg_staff", "auditor"):
        client = fresh.test_client()
        log_in(client, users[role])
        assert client.get("/dashboard/").status_code == 200
    assert compiled == []
