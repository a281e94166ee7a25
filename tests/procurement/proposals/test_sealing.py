"""Sealing keys: from the environment, a local key for `make run`, production refuses without, rotation."""

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from procurement.proposals import sealing
from procurement.proposals.models import ProposalVersion
from procurement.proposals.selectors import proposal_content
from procurement.proposals.services import proposal_submit
from tests.config.test_settings import run_django
from tests.procurement.proposals.conftest import MARKER


def test_production_refuses_to_start_without_sealing_keys():
    result = run_django(
        "config.settings.production",
        "check",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        PROPOSAL_SEALING_KEYS="",
    )
    assert result.returncode != 0
    assert "PROPOSAL_SEALING_KEYS is not set" in result.stderr


def test_local_settings_create_a_key_under_var_on_first_use(tmp_path):
    key_file = tmp_path / "var" / "proposal-sealing.key"
    with override_settings(PROPOSAL_SEALING_KEYS=[], PROPOSAL_SEALING_LOCAL_KEY_FILE=key_file):
        token = sealing.seal(b"hello")
        assert key_file.exists()
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        assert sealing.open_sealed(token) == b"hello"
        # The same key is used on the next start (the file is read, not replaced).
        first = key_file.read_text()
        sealing.seal(b"again")
        assert key_file.read_text() == first


def test_local_settings_need_no_key(tmp_path):
    result = run_django(
        "config.settings.local",
        "shell",
        "-c",
        "from procurement.proposals.sealing import seal, open_sealed; print(open_sealed(seal(b'ok')).decode())",
        DATABASE_URL="",
        REDIS_URL="",
        PROPOSAL_SEALING_KEYS="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok"


def test_a_wrong_key_cannot_open(tmp_path):
    token = sealing.seal(b"secret")
    with (
        override_settings(PROPOSAL_SEALING_KEYS=[Fernet.generate_key().decode()]),
        pytest.raises(sealing.SealBroken),
    ):
        sealing.open_sealed(token)


@pytest.mark.django_db
def test_a_proposal_sealed_under_the_old_key_opens_after_rotation(open_tender, partner, offer):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(PROPOSAL_SEALING_KEYS=[old]):
        version = proposal_submit(tender=open_tender, organisation=partner, content=offer())
    with override_settings(PROPOSAL_SEALING_KEYS=[new, old]):
        stored = ProposalVersion.objects.get(pk=version.pk)
        assert MARKER in proposal_content(version=stored, organisation=partner)["summary"]
        # Re-sealing under the new key lets the old key be retired.
        ProposalVersion.objects.filter(pk=version.pk).update(sealed=sealing.reseal(stored.sealed))
    with override_settings(PROPOSAL_SEALING_KEYS=[new]):
        stored = ProposalVersion.objects.get(pk=version.pk)
        assert MARKER in proposal_content(version=stored, organisation=partner)["summary"]


def test_production_refuses_a_sealing_key_that_is_not_a_fernet_key():
    result = run_django(
        "config.settings.production",
        "check",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        PROPOSAL_SEALING_KEYS="change-me",
    )
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr
