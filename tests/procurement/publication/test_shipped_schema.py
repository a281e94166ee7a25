"""The product ships the OCDS files it validates against: a clone on its own must run and pass its tests."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SCHEMA = Path(settings.BASE_DIR) / "procurement" / "publication" / "schema"
CORE = SCHEMA / "ocds-1.1.5"

CHECKSUMS = {
    "release-schema.json": "fac192e1ccfb061f5164bdb2d64c29e517c0f81661996b97de40cebc55a2c1bc",
    "release-package-schema.json": "06577cec73cc16eca0cac331a7ea9ee9cd684b21c55f5f0711f7442623153698",
    "record-package-schema.json": "ba7bc9acfc307b6f311a54a62f686f1d9e199e61712314f995a090b660168da1",
}


def test_core_schema_files_are_the_official_ones_unchanged():
    for name, digest in CHECKSUMS.items():
        assert hashlib.sha256((CORE / name).read_bytes()).hexdigest() == digest, name


def test_every_shipped_part_keeps_its_licence_and_the_copy_has_a_provenance_note():
    assert "Apache License" in (CORE / "LICENSE").read_text()
    for extension in ("budget_breakdown", "metrics", "bids"):
        folder = CORE / "extensions" / extension
        assert "Apache License" in (folder / "LICENSE").read_text(), extension
        assert json.loads((folder / "extension.json").read_text())["name"], extension
        json.loads((folder / "release-schema.json").read_text())
    provenance = (SCHEMA / "README.md").read_text()
    for commit in (
        "345db699d4915049638a701bf2cb91a7439cff29",
        "fad91df868907e339e5b3b4af5c334e02b80fa4f",
        "d62ff4b0ba393d823ca8113a9039b12edf7acb8f",
    ):
        assert commit in provenance


def test_the_codelists_we_check_against_are_shipped():
    for codelist in ("tenderStatus", "currency", "partyRole", "releaseTag", "documentType", "awardStatus"):
        assert (CORE / "codelists" / f"{codelist}.csv").is_file(), codelist


def test_no_code_or_test_reads_the_shared_folder_beside_the_repository():
    # Anything that read ../shared would pass here and fail in a clone with nothing beside it.
    root = Path(settings.BASE_DIR)
    skipped = {".venv", "var", "node_modules", ".git", "__pycache__", "static"}
    offenders = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in skipped]
        for name in files:
            path = Path(folder) / name
            if path.suffix not in {".py", ".yml", ".yaml", ".toml", ".cfg"} and name not in {
                "Makefile",
                "run",
            }:
                continue
            if path == Path(__file__):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if "../shared" in text or '"shared" / "ocds"' in text:
                offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_the_default_settings_need_nothing_beside_the_repository():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.test'; django.setup();"
        "from procurement.publication import validation; print(validation.schema_dir())"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == str(CORE)
