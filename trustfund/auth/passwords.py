"""The password policy: at least 12 characters, not the email, and not easy to guess,
as zxcvbn judges it (Dropbox's estimator: frequency lists of leaked passwords,
names, words, keyboard patterns, dates; the user's own email and name count as
known words)."""
from __future__ import annotations

from flask_babel import gettext as _
from zxcvbn import zxcvbn

from ..errors import DomainError

MIN_LENGTH = 12
# zxcvbn's score 3: "safely unguessable" (about 10^8 guesses or more).
MIN_SCORE = 3
# Words anyone guessing a password of this application would try first.
APP_WORDS = ["trustfund", "mptf", "srsg", "undp", "unitednations", "migration", "compact"]


def check_password(password: str, *, email: str, name: str = "", field: str = "password") -> None:
    """Refuse (DomainError beside `field`) a password the policy does not accept."""
    if len(password) < MIN_LENGTH:
        raise DomainError(_("Use at least %(n)s characters.", n=MIN_LENGTH), field=field)
    email = (email or "").strip().lower()
    if email and password.strip().lower() in (email, email.partition("@")[0]):
        raise DomainError(_("Choose a password other than your email address."), field=field)
    known = [email, email.partition("@")[0], *name.lower().split(), *APP_WORDS]
    # zxcvbn's time grows with the length; what it finds in the first 100 characters is enough.
    if zxcvbn(password[:100], user_inputs=[w for w in known if w])["score"] < MIN_SCORE:
        raise DomainError(_("This password is too common or too easy to guess: use a few words "
                            "that do not go together, or a longer mix of characters."), field=field)
