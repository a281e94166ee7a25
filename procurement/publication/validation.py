"""Offline validation of what we publish against OCDS 1.1.5 + the budget breakdown and metrics extensions.

The core release schema is patched with each extension's release-schema.json (a JSON Merge Patch, RFC 7396),
then packages are validated with a Draft 4 validator whose `referencing` registry maps the schema ids to the
local files, so nothing is ever fetched. Closed codelists (`"openCodelist": false`) are checked against the
CSV files, with the codes the extensions add (`+partyRole.csv`).
"""

from __future__ import annotations

import copy
import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jsonschema import Draft4Validator, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

EXTENSIONS = ("budget_breakdown", "metrics", "bids")

# The URLs a package lists in its `extensions` array (pinned to the commits of the shipped copy, see schema/README.md).
EXTENSION_URLS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_budget_breakdown_extension/"
    "345db699d4915049638a701bf2cb91a7439cff29/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/"
    "fad91df868907e339e5b3b4af5c334e02b80fa4f/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "d62ff4b0ba393d823ca8113a9039b12edf7acb8f/extension.json",
]


class OcdsInvalid(Exception):
    """What we were about to publish (or have published) does not validate; `errors` lists every problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors[:5]))


def schema_dir() -> Path:
    path = Path(settings.OCDS_SCHEMA_DIR)
    if not (path / "release-schema.json").is_file():
        raise ImproperlyConfigured(
            f"OCDS schema not found in {path} (OCDS_SCHEMA_DIR). Expected the OCDS 1.1.5 release schema, "
            "codelists and extensions there (by default the copy shipped in "
            "procurement/publication/schema/ocds-1.1.5)."
        )
    return path


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _cached_release_schema(directory: str) -> dict:
    base = Path(directory)
    schema = _load(base / "release-schema.json")
    for name in EXTENSIONS:
        schema = merge_patch(schema, _load(base / "extensions" / name / "release-schema.json"))
    return schema


def release_schema() -> dict:
    """The core release schema with both extensions applied (a fresh copy is not made: do not mutate)."""
    return _cached_release_schema(str(schema_dir()))


@cache
def _cached_codelists(directory: str) -> dict[str, frozenset[str]]:
    base = Path(directory)
    codes: dict[str, set[str]] = {}
    for path in sorted((base / "codelists").glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            codes[path.name] = {row["Code"] for row in csv.DictReader(handle)}
    for name in EXTENSIONS:
        for path in sorted((base / "extensions" / name / "codelists").glob("*.csv")):
            with path.open(encoding="utf-8") as handle:
                extra = {row["Code"] for row in csv.DictReader(handle)}
            if path.name.startswith("+"):
                codes.setdefault(path.name[1:], set()).update(extra)
            elif path.name.startswith("-"):
                codes.setdefault(path.name[1:], set()).difference_update(extra)
            else:
                codes[path.name] = extra
    return {name: frozenset(values) for name, values in codes.items()}


def codelists() -> dict[str, frozenset[str]]:
    return _cached_codelists(str(schema_dir()))


@cache
def _cached_currencies(directory: str) -> tuple[tuple[str, str], ...]:
    with (Path(directory) / "codelists" / "currency.csv").open(encoding="utf-8") as handle:
        return tuple(
            (row["Code"], f"{row['Code']} — {row['Title']}")
            for row in csv.DictReader(handle)
            if not row.get("Valid Until")
        )


def currency_choices() -> tuple[tuple[str, str], ...]:
    """ISO 4217 currencies in use, from the OCDS currency codelist we ship (withdrawn codes left out)."""
    return _cached_currencies(str(schema_dir()))


def _codelist_keyword(validator, codelist, instance, schema):
    """Closed codelists: every code must be in the CSV. Open codelists accept any code (but see strict)."""
    if schema.get("openCodelist", True) and not getattr(validator, "strict_codelists", False):
        return
    codes = codelists().get(codelist)
    if codes is None:
        yield ValidationError(f"unknown codelist {codelist}")
        return
    values = instance if isinstance(instance, list) else [instance]
    for value in values:
        if isinstance(value, str) and value not in codes:
            yield ValidationError(f"{value!r} is not a code of the closed codelist {codelist}")


OcdsValidator = validators.extend(Draft4Validator, {"codelist": _codelist_keyword})
# Strict: open codelists too. What we write ourselves uses only listed codes, so a typo is caught in tests.
StrictOcdsValidator = validators.extend(OcdsValidator, {})
StrictOcdsValidator.strict_codelists = True


@cache
def _cached_registry(directory: str) -> Registry:
    base = Path(directory)
    release = _cached_release_schema(directory)
    resources = [(release["id"], DRAFT4.create_resource(release))]
    for name in ("release-package-schema.json", "record-package-schema.json"):
        document = _load(base / name)
        resources.append((document["id"], DRAFT4.create_resource(document)))
    return Registry().with_resources(resources)


def _errors(schema: dict, instance: dict, strict: bool = False) -> list[str]:
    registry = _cached_registry(str(schema_dir()))
    validator = (StrictOcdsValidator if strict else OcdsValidator)(schema, registry=registry)
    problems = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        problems.append(f"{where}: {error.message}")
    return problems


def release_errors(release: dict, *, strict: bool = False) -> list[str]:
    """Every schema and codelist problem of one release; strict also checks codes of open codelists."""
    return _errors(release_schema(), release, strict)


def release_package_errors(package: dict) -> list[str]:
    return _errors(_package_schema("release-package-schema.json"), package)


def record_package_errors(package: dict) -> list[str]:
    return _errors(_package_schema("record-package-schema.json"), package)


def _package_schema(name: str) -> dict:
    registry = _cached_registry(str(schema_dir()))
    resource: Resource = registry.get_or_retrieve(
        f"https://standard.open-contracting.org/schema/1__1__5/{name}"
    ).value
    return resource.contents


def validate_release(release: dict) -> None:
    errors = release_errors(release)
    if errors:
        raise OcdsInvalid(errors)
