"""A JSON value stored as compressed canonical bytes (a scenario run's inputs snapshot).

Why not a JSONField: a 50,000-asset snapshot is ~10 MB of JSON. As `jsonb`, PostgreSQL parsed, compressed and
stored it on every run request (~0.4 s) and rendered it back as text for the worker (~0.1 s). Stored as the
canonical bytes that were hashed (orjson, sorted keys), compressed with zlib at level 1 (~40 ms, ~1.4 MB), the
database only moves bytes, and `sha256(unpack(column))` is the run's input_hash: the record is the hashed text.

Reading accepts both shapes: compressed bytes (written since finance 0008) and plain JSON text (rows written
before it, converted in place by that migration: as bytes of `jsonb::text` on PostgreSQL, as the same text on
SQLite). Python values are dicts either way, so `run.inputs["assets"]` reads as it always did.
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from django.db import models

# zlib level 1: ~7× smaller than the JSON in ~40 ms for 10 MB; higher levels cost 2-3× the time for ~20 % less.
ZLIB_LEVEL = 1


def canonical_bytes(value: Any) -> bytes:
    """Canonical JSON as UTF-8 bytes (sorted keys, no spaces): equal values give equal bytes."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def pack(canonical: bytes) -> bytes:
    """Compressed canonical JSON, as stored."""
    return zlib.compress(canonical, ZLIB_LEVEL)


def unpack(stored: bytes | memoryview | str) -> bytes | str:
    """The JSON text of a stored value, whichever shape it was written in."""
    if isinstance(stored, str):
        return stored  # SQLite rows written before finance 0008 (text)
    stored = bytes(stored)
    if stored[:1] in (b"{", b"[", b'"') or not stored:
        return stored  # PostgreSQL rows written before finance 0008 (the bytes of jsonb's text)
    return zlib.decompress(stored)


class Packed(bytes):
    """The bytes of a value already encoded and compressed by the caller (`pack(canonical_bytes(value))`),
    stored as they are."""


class PackedJSONField(models.BinaryField):
    """A JSON value (dict, list…) stored as zlib-compressed canonical JSON bytes; see the module docstring.

    Assign a Python value, or `Packed(pack(canonical))` when the caller already holds the compressed bytes.
    """

    description = "JSON stored as compressed canonical bytes"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, Packed):
            return bytes(value)
        return pack(canonical_bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return connection.Database.Binary(value) if value is not None else None

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return orjson.loads(unpack(value))

    def to_python(self, value):
        if isinstance(value, str):
            return orjson.loads(value)
        if isinstance(value, bytes | memoryview):
            return orjson.loads(unpack(value))
        return value

    def value_to_string(self, obj):
        return canonical_bytes(self.value_from_object(obj)).decode("utf-8")

    def validate(self, value, model_instance):
        # Any JSON-encodable value is valid; encoding it is what saving does (no second encoding here).
        models.Field.validate(self, value, model_instance)
