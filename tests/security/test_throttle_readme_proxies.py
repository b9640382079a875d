"""the README's production recipe binds gunicorn to 127.0.0.1 behind a
proxy ("Put it behind a proxy that terminates TLS") but does not set
TRUSTFUND_TRUSTED_PROXIES, whose default (0) then makes every client 127.0.0.1: 20
failed logins by anyone pause every sign-in of the site for 15 minutes, and 5 failures
on an account lock its owner out from everywhere."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_production_recipe_sets_the_trusted_proxies():
    readme = (ROOT / "README.md").read_text()
    recipe = re.search(r"## Production\s+```sh\n(.*?)```", readme, re.S).group(1)
    assert "127.0.0.1:8000" in recipe  # behind a proxy on the same machine
    assert "TRUSTFUND_TRUSTED_PROXIES" in recipe
