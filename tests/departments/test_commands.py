"""manage.py import_assets and the demo city step of this app."""

import pytest
from django.core.management import CommandError, call_command

from departments import demo
from departments.models import Asset, AssetCategory, AuditEvent, Department

from .conftest import csv_text, good_row

pytestmark = pytest.mark.django_db


def test_import_command_upserts_and_reports_counts(tmp_path, transport, bus_shelter, capsys):
    path = tmp_path / "assets.csv"
    path.write_text(csv_text([good_row(), good_row(external_ref="BS-2")]))
    call_command("import_assets", str(path))
    assert "2 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    call_command("import_assets", str(path))
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    path.write_text(csv_text([good_row(condition="5"), good_row(external_ref="BS-2")]))
    call_command("import_assets", str(path))
    assert "0 created, 1 updated, 1 unchanged" in capsys.readouterr().out
    assert Asset.objects.count() == 2
    assert AuditEvent.objects.filter(action="asset_import.succeed").count() == 3


def test_import_command_lists_every_problem_and_fails(tmp_path, transport, bus_shelter, capsys):
    path = tmp_path / "assets.csv"
    path.write_text(csv_text([good_row(), good_row(external_ref="BS-2", life_years="0", category="ferry")]))
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_assets", str(path))
    err = capsys.readouterr().err
    assert "row 3, column life_years: Expected life (years) must be at least 1." in err
    assert "row 3, column category: Unknown category 'ferry'" in err
    assert not Asset.objects.exists()


def test_import_command_as_a_user_is_limited_to_their_departments(
    tmp_path, transport_official, lighting, bus_shelter
):
    path = tmp_path / "assets.csv"
    path.write_text(csv_text([good_row(department="lighting")]))
    with pytest.raises(CommandError):
        call_command("import_assets", str(path), "--user", "tina")
    assert not Asset.objects.exists()


def test_demo_step_creates_six_categories_and_about_5000_assets_once():
    demo.load(log=lambda message: None)
    assert AssetCategory.objects.count() == 6
    assert 4_500 <= Asset.objects.count() <= 5_500
    assert AssetCategory.objects.get(code="street-light").upgrade_unit_cost > 0
    assert Asset.objects.filter(area="Route 12").exists() and Asset.objects.filter(area="Centre").exists()
    overdue = sum(
        1 for a in Asset.objects.only("install_year", "life_years") if a.end_of_life_year <= demo.DEMO_YEAR
    )
    assert overdue > 100  # the demo needs assets that are due for replacement
    counts = (Department.objects.count(), Asset.objects.count(), AuditEvent.objects.count())
    demo.load(log=lambda message: None)
    assert (Department.objects.count(), Asset.objects.count(), AuditEvent.objects.count()) == counts
