"""Sealing of proposal content at rest: MultiFernet with keys from the environment (rotation supported).

PROPOSAL_SEALING_KEYS is a comma-separated list of Fernet keys; the first one seals, all of them open, so a key
is rotated by putting the new one first and keeping the old one until every token has been re-sealed with `reseal`. Without keys
(the embedded default, `make run`) a local key is created under var/ on first use; production settings refuse
to start without the variable (config/settings/production.py).

Only `procurement.proposals.selectors` calls `open_sealed` — that module owns the rule of who may read.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SealBroken(Exception):
    """A sealed value cannot be opened with any configured key (lost key, tampering)."""


def _local_key(path: Path) -> str:
    """The key in `path`, created (readable by the owner only) if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        key = Fernet.generate_key().decode("ascii")
        # O_EXCL: two processes starting at once must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key + "\n")
    return path.read_text().strip()


def configured_keys() -> list[str]:
    keys = [k.strip() for k in getattr(settings, "PROPOSAL_SEALING_KEYS", []) if k.strip()]
    if keys:
        return keys
    local = getattr(settings, "PROPOSAL_SEALING_LOCAL_KEY_FILE", None)
    if local:
        return [_local_key(Path(local))]
    raise ImproperlyConfigured(
        "PROPOSAL_SEALING_KEYS is not set: proposals cannot be sealed. Generate a key with "
        "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'."
    )


@cache
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            "PROPOSAL_SEALING_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes)."
        ) from exc


def _fernet() -> MultiFernet:
    return _multifernet(tuple(configured_keys()))


def seal(data: bytes) -> bytes:
    """Encrypt (and authenticate) `data` with the active (first) key."""
    return _fernet().encrypt(data)


def open_sealed(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise SealBroken("sealed proposal content cannot be opened with the configured keys") from exc


def reseal(token: bytes) -> bytes:
    """The same content sealed under the active key (for rotation: old keys can then be retired)."""
    return _fernet().rotate(bytes(token))
