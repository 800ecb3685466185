"""Per-library bearer tokens: "<id>.<secret>", both hex. The server keeps the id (to find, list
and revoke a token) and a SHA-256 of the secret, never the secret itself, and compares hashes in
constant time. Secrets are 256 random bits, so a plain hash is enough: there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ID_BYTES, SECRET_BYTES = 6, 32


@dataclass(frozen=True)
class NewToken:
    id: str
    token: str  # shown once, to give to the devices
    secret_hash: str  # what the server stores


def new_token() -> NewToken:
    token_id = secrets.token_hex(ID_BYTES)
    secret = secrets.token_hex(SECRET_BYTES)
    return NewToken(token_id, f"{token_id}.{secret}", hash_secret(secret))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """(id, secret), or None for anything that is not shaped like a token."""
    token_id, dot, secret = token.strip().partition(".")
    if (
        not dot
        or len(token_id) != 2 * ID_BYTES
        or len(secret) != 2 * SECRET_BYTES
        or not _is_hex(token_id + secret)
    ):
        return None
    return token_id, secret


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def token_id_of(token_or_id: str) -> str:
    """A token's id, given the whole token or the id alone (as `server revoke` accepts both)."""
    parts = split_token(token_or_id)
    return parts[0] if parts else token_or_id.strip()


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)
