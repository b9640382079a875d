"""How passwords are stored: Argon2id, with the parameters in each hash.

Argon2id is the first choice of OWASP's Password Storage Cheat Sheet, and these
are its recommended minimum (19 MiB of memory, 2 iterations, 1 lane): memory-hard
like scrypt, about 25 ms a check on the application's 2-core machine. Werkzeug's
scrypt default, which stored the passwords before (``scrypt:32768:8:1$...``), is
below OWASP's scrypt minimum (N = 2^17) and took about 125 ms a check: every
sign-in's cost, and under a morning's sign-ins the cost of every other request
waiting for a core.

Hashes stored before are still checked, and replaced by an Argon2id hash at the
user's next successful sign-in (auth.services.authenticate), as are hashes made
with other parameters than today's. An unknown email is checked against a hash of
today's kind, so that it takes the time of a real check.
"""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_ARGON2 = "$argon2"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored: str, password: str) -> bool:
    """Whether `password` is the one `stored` was made from (an Argon2id hash, or a
    Werkzeug hash stored before)."""
    if stored.startswith(_ARGON2):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):  # a wrong password, or a damaged hash
            return False
    return check_password_hash(stored, password)


def outdated(stored: str) -> bool:
    """Whether `stored` is of another kind or parameters than a hash made today."""
    if not stored.startswith(_ARGON2):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


_DUMMY_HASH = hash_password(secrets.token_hex(16))


def check_dummy_password(password: str) -> None:
    """Spend the time of a real check, for an unknown email."""
    password_matches(_DUMMY_HASH, password)
