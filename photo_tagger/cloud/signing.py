"""Ed25519 keys and signatures for model releases (the `cryptography` package does the maths).

A release manifest is signed as the exact bytes served, so no JSON canonicalisation can make a
valid signature cover something else. Keys are stored as base64 of their 32 raw bytes, one per
file: `*.pub` (public, safe to ship) and `*.key` (private: only the publisher has it).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from photo_tagger.errors import ModelUpdateError
from photo_tagger.words import reason

_RAW = serialization.Encoding.Raw


def generate_key_pair(private_path: Path) -> Path:
    """Write a new private key to `private_path` (mode 600) and its public key beside it (.pub)."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(raw).decode() + "\n")
    public_path = private_path.with_suffix(".pub")
    public_path.write_text(public_key_text(key.public_key()) + "\n")
    return public_path


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(_RAW, serialization.PublicFormat.Raw)).decode()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(path.read_text().strip()))
    except (OSError, ValueError) as exc:
        why = reason(exc, "not in the expected form")
        raise ModelUpdateError(f"{path} is not a model signing key ({why}).") from None


def load_public_key(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))
    except ValueError:
        raise ModelUpdateError(
            "Not an Ed25519 public key (not in the expected form): give the KEY.pub file the "
            "release's publisher gave you."
        ) from None


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode()


def verify(keys: Iterable[Ed25519PublicKey], data: bytes, signature: str) -> bool:
    """True when any of `keys` signed `data`."""
    try:
        sig = base64.b64decode(signature.strip(), validate=True)
    except ValueError:
        return False
    for key in keys:
        try:
            key.verify(sig, data)
            return True
        except InvalidSignature:
            continue
    return False


def trusted_keys(folders: Iterable[Path]) -> list[Ed25519PublicKey]:
    """Every `*.pub` in `folders` (the keys shipped with the app, then the user's own)."""
    keys = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.pub")):
            keys.append(load_public_key(path.read_text()))
    return keys
