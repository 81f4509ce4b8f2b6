"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

Each argon2 run takes 64 MiB and tens of milliseconds of one core on purpose. At most
:data:`MAX_CONCURRENT_HASHES` run at once in a process; the others wait their turn, so a burst of
sign-ins (or wrong guesses) queues instead of taking a thread and 64 MiB each."""

from __future__ import annotations

import os
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MAX_CONCURRENT_HASHES = max(2, os.cpu_count() or 2)
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


def hash_password(password: str) -> str:
    """The PHC string (``$argon2id$v=19$...``) to store; salted, so never the same twice."""
    with _SLOTS:
        return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed stored hash is simply no match."""
    try:
        with _SLOTS:
            return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's and should be redone."""
    return _HASHER.check_needs_rehash(password_hash)
