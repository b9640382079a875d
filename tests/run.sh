#!/usr/bin/env bash
# The whole suite: unit, web and browser tests, each database test on SQLite and
# on a throwaway PostgreSQL server started by tests/pg.py. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest "$@"
