"""Passwords (stdlib scrypt with a per-user salt) and random secrets for sessions and links.

``hash_password(pw) -> str`` and ``verify_password(pw, stored) -> bool``; ``new_secret()``
makes a URL-safe random value and ``digest(secret)`` the SHA-256 hex that is stored instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# scrypt cost: 2**14 × 8 × 1 uses 16 MiB and about 50 ms per check on one core, the
# interactive-login figures of the scrypt paper; the parameters are stored with each hash
# so they can be raised later without invalidating older ones.
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), key)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
