"""Issue 12 §2 for the asset import's files: XLSX checked before parsing, formulas, sizes, jobs' real times.

The cases that write assets run on the suite's database and again marked `postgres` (COPY path).
"""

from __future__ import annotations

import datetime
import io
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from departments import imports, services
from departments.exceptions import ImportRefused, ImportTooLarge
from departments.imports import ALL_COLUMNS, human_size, import_assets
from departments.models import Asset, AssetImport

from .conftest import csv_text, good_row

pytestmark = pytest.mark.django_db

YEAR = 2026
SHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.fixture(
    autouse=True,
    params=[
        pytest.param("suite", id="suite-db"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def database(request):
    if request.param == "postgresql":
        assert connection.vendor == "postgresql"


@pytest.fixture
def setup(transport, bus_shelter):
    return transport


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.errors]


# --- Building XLSX files --------------------------------------------------------------------------------------


def workbook(rows: list[dict], *, values=lambda column, text: text) -> openpyxl.Workbook:
    """The asset columns and rows in a workbook, each cell as `values(column, text)` returns it."""
    book = openpyxl.Workbook()
    book.active.append(ALL_COLUMNS)
    for row in rows:
        book.active.append([values(column, row[column]) for column in ALL_COLUMNS])
    return book


def xlsx_bytes(book: openpyxl.Workbook, edit=lambda sheet_xml: sheet_xml) -> bytes:
    """The workbook saved, its first sheet's XML passed through `edit` (what openpyxl cannot write)."""
    saved = io.BytesIO()
    book.save(saved)
    edited = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            target.writestr(member.filename, data)
    return edited.getvalue()


def numbers(column: str, text: str):
    """Cells as a spreadsheet holds them: numbers as numbers."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text) if column not in ("external_ref", "name", "area") else text
        except ValueError:
            return text


def bomb(rows: int, *, dimension: bool = True, big_cell: int = 0) -> bytes:
    """A small XLSX that unpacks to a lot: `rows` asset rows (300,000 ≈ 105 MB of XML in ≈ 0.5 MB), and/or one
    cell of `big_cell` characters. Written by hand, streaming, as a hostile or careless tool would."""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{DOCUMENT}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{SHEET}" xmlns:r="{DOCUMENT}"><sheets>'
            '<sheet name="Assets" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{SHEET}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="A1:N{rows + 1}"/>'.encode())
            sheet.write(b"<sheetData>")
            header = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in ALL_COLUMNS)
            sheet.write(f'<row r="1">{header}</row>'.encode())
            if big_cell:
                sheet.write(b'<row r="2"><c t="inlineStr"><is><t>')
                for _ in range(big_cell // 1_000_000):
                    sheet.write(b"a" * 1_000_000)
                sheet.write(b"</t></is></c></row>")
            template = (
                '<row r="{n}"><c t="inlineStr"><is><t>transport</t></is></c><c t="inlineStr"><is><t>bus-shelter'
                '</t></is></c><c t="inlineStr"><is><t>BS-{n:07d}</t></is></c><c><v>2010</v></c><c><v>20</v></c>'
                '<c><v>8500.25</v></c><c><v>320.5</v></c><c><v>95.5</v></c><c t="inlineStr"><is><t>Shelter {n}'
                '</t></is></c><c t="inlineStr"><is><t>Centre</t></is></c><c><v>50.8503</v></c><c><v>4.3517</v>'
                '</c><c><v>3</v></c><c t="inlineStr"><is><t>in_service</t></is></c></row>'
            )
            for start in range(2, rows + 2, 10_000):
                chunk = "".join(template.format(n=n) for n in range(start, min(start + 10_000, rows + 2)))
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb_300k_rows() -> bytes:
    return bomb(300_000)


@pytest.fixture(scope="module")
def bomb_300k_rows_without_dimension() -> bytes:
    return bomb(300_000, dimension=False)


# --- Zip bombs and row counts: refused before parsing, in a fraction of a second ----------------------------


def test_a_small_xlsx_with_300000_rows_is_refused_by_the_upload_itself_within_seconds(
    setup, transport_official, bomb_300k_rows
):
    assert len(bomb_300k_rows) < imports.max_bytes()  # passes the upload limit (the was 469 KB)
    upload = SimpleUploadedFile("inventory.xlsx", bomb_300k_rows)
    started = time.perf_counter()
    with pytest.raises(ImportRefused) as refused:
        services.asset_import_start(file=upload, actor=transport_official)
    assert time.perf_counter() - started < 5  # generous: it is well under a second when the machine is idle
    assert str(refused.value) == (
        "The file has 300,000 rows; the limit is 200,000 per import. Split it into smaller files."
    )
    assert not AssetImport.objects.exists()


def test_the_import_page_refuses_it_in_the_form_without_a_server_error(
    setup, client_for, transport_official, bomb_300k_rows_without_dimension
):
    upload = SimpleUploadedFile("inventory.xlsx", bomb_300k_rows_without_dimension)
    started = time.perf_counter()
    response = client_for(transport_official).post(reverse("departments:asset-import"), {"file": upload})
    assert time.perf_counter() - started < 5
    assert response.status_code == 200
    # Without a <dimension> the rows are counted by streaming the sheet, stopping past the limit.
    assert "The file has more than 200,000 rows" in response.content.decode()
    assert not AssetImport.objects.exists()


def test_the_job_and_the_command_line_refuse_it_before_parsing_too(setup, bomb_300k_rows, tmp_path):
    started = time.perf_counter()
    result = import_assets(io.BytesIO(bomb_300k_rows), name="inventory.xlsx", current_year=YEAR)
    assert time.perf_counter() - started < 5
    assert errors_of(result) == [
        (0, "", "The file has 300,000 rows; the limit is 200,000 per import. Split it into smaller files.")
    ]


def test_an_xlsx_that_unpacks_to_more_than_the_limit_is_refused_without_unpacking_it(
    setup, transport_official
):
    content = bomb(10, big_cell=250_000_000)  # 250 MB of one letter in one cell: ≈ 1 MB packed
    assert len(content) < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(ImportRefused) as refused:
        services.asset_import_start(file=SimpleUploadedFile("a.xlsx", content), actor=transport_official)
    assert time.perf_counter() - started < 5
    assert str(refused.value).startswith(
        f"The spreadsheet is {human_size(len(content))} but unpacks to 238.4 MB; the limit is 200.0 MB "
        "unpacked."
    )


@override_settings(ASSET_IMPORT_MAX_ROWS=3)
def test_a_wrong_dimension_neither_cuts_rows_off_nor_lets_too_many_through(setup):
    rows = [good_row(external_ref=f"BS-{i}") for i in range(3)]
    lying = xlsx_bytes(
        workbook(rows, values=numbers), edit=lambda xml: xml.replace('ref="A1:N4"', 'ref="A1:N2"')
    )
    result = import_assets(io.BytesIO(lying), name="assets.xlsx", current_year=YEAR)
    assert result.ok, errors_of(result)
    assert Asset.objects.count() == 3  # not 1, as the dimension says

    rows.append(good_row(external_ref="BS-3"))
    lying = xlsx_bytes(
        workbook(rows, values=numbers), edit=lambda xml: xml.replace('ref="A1:N5"', 'ref="A1:N2"')
    )
    result = import_assets(io.BytesIO(lying), name="assets.xlsx", current_year=YEAR)
    assert errors_of(result) == [
        (0, "", "The file has more than 3 rows; the limit is 3 per import. Split it into smaller files.")
    ]


def test_inline_or_background_is_decided_by_rows_not_by_packed_bytes(
    setup, transport_official, monkeypatch, django_capture_on_commit_callbacks
):
    content = xlsx_bytes(workbook([good_row(external_ref=f"BS-{i}") for i in range(6)], values=numbers))
    assert len(content) < 10 * 1024
    monkeypatch.setattr(services, "INLINE_IMPORT_MAX_ROWS", 5)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = services.asset_import_start(
            file=SimpleUploadedFile("a.xlsx", content), actor=transport_official
        )
    assert (job.status, len(queued)) == (AssetImport.Status.QUEUED, 1)  # 6 rows > 5: a job, though 6 KB

    monkeypatch.setattr(services, "INLINE_IMPORT_MAX_ROWS", 6)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = services.asset_import_start(
            file=SimpleUploadedFile("b.xlsx", content), actor=transport_official
        )
    assert (job.status, len(queued), job.created_count) == (AssetImport.Status.SUCCEEDED, 0, 6)


# --- Formulas, errors and numbers in XLSX cells ------------------------------------------------------------------


def test_a_formula_without_a_calculated_value_is_refused_naming_its_row_and_column(setup):
    rows = [good_row(external_ref="BS-1"), good_row(external_ref="BS-2")]
    book = workbook(rows, values=numbers)
    book.active["I3"] = '=CONCAT("Shelter ", C3)'  # name of the second asset; openpyxl stores no result
    result = import_assets(io.BytesIO(xlsx_bytes(book)), name="assets.xlsx", current_year=YEAR)
    assert errors_of(result) == [
        (
            3,
            "name",
            "The cell holds a formula without a calculated value (the program that saved the file does not "
            "calculate). Open the file in Excel or LibreOffice and save it again, or replace the formula by its "
            "value.",
        )
    ]
    assert not Asset.objects.exists()  # before: imported with an empty name


def test_a_formula_with_its_calculated_value_is_imported_with_that_value(setup):
    book = workbook([good_row(external_ref="BS-1")], values=numbers)
    book.active["I2"] = '=CONCAT("Shelter ", C2)'
    content = xlsx_bytes(
        book,
        edit=lambda xml: xml.replace(
            '<c r="I2"><f>CONCAT("Shelter ", C2)</f><v /></c>',
            '<c r="I2" t="str"><f>CONCAT("Shelter ", C2)</f><v>Shelter BS-1</v></c>',
        ),
    )
    result = import_assets(io.BytesIO(content), name="assets.xlsx", current_year=YEAR)
    assert result.ok, errors_of(result)
    assert Asset.objects.get().name == "Shelter BS-1"


def test_a_cell_showing_a_spreadsheet_error_is_refused(setup):
    book = workbook([good_row(external_ref="BS-1")], values=numbers)
    content = xlsx_bytes(
        book,
        edit=lambda xml: xml.replace(
            '<c r="F2" t="n"><v>8500</v></c>', '<c r="F2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        ),
    )
    result = import_assets(io.BytesIO(content), name="assets.xlsx", current_year=YEAR)
    assert errors_of(result) == [
        (2, "replacement_cost", "The cell shows the error #DIV/0!: correct it in the spreadsheet.")
    ]


@pytest.mark.parametrize("decimal", [".", ","])
def test_xlsx_numbers_are_read_exactly_whatever_the_decimal_separator(setup, decimal):
    row = good_row(replacement_cost="8500.25", maintenance_cost="0.1", energy_cost="95.5", latitude="50.8503")
    book = workbook([row], values=numbers)
    book.active["G2"] = 0.1 + 0.2  # 0.30000000000000004 as a double; a spreadsheet shows (and means) 0.3
    content = xlsx_bytes(book)
    result = import_assets(io.BytesIO(content), name="assets.xlsx", current_year=YEAR, decimal=decimal)
    assert result.ok, errors_of(result)
    asset = Asset.objects.get()
    assert (asset.replacement_cost, asset.maintenance_cost, asset.energy_cost) == (
        Decimal("8500.25"),
        Decimal("0.30"),
        Decimal("95.50"),
    )
    assert asset.latitude == Decimal("50.850300")


def test_an_xlsx_text_cell_with_a_decimal_comma_follows_the_same_rule_as_csv(setup):
    book = workbook([good_row(replacement_cost="12,50")], values=numbers)
    result = import_assets(io.BytesIO(xlsx_bytes(book)), name="assets.xlsx", current_year=YEAR)
    assert [(row, column) for row, column, _ in errors_of(result)] == [(2, "replacement_cost")]
    result = import_assets(io.BytesIO(xlsx_bytes(book)), name="assets.xlsx", current_year=YEAR, decimal=",")
    assert result.ok and Asset.objects.get().replacement_cost == Decimal("12.50")


# --- Sizes, the browser form and the command line -----------------------------------------------------------


def test_a_file_just_over_the_limit_says_by_how_much(setup, transport_official):
    limit = 20 * 1024 * 1024
    with pytest.raises(ImportTooLarge) as refused:
        services.asset_import_start(
            file=SimpleUploadedFile("big.csv", b"x" * (limit + 1)), actor=transport_official
        )
    assert str(refused.value) == (
        "The file is 20,971,521 bytes; the limit is 20,971,520 bytes (20.0 MB). Split it into smaller files."
    )


def test_the_browser_form_imports_a_file_with_decimal_commas_when_asked(
    setup, client_for, transport_official
):
    row = good_row(
        replacement_cost='"8.500,25"',
        maintenance_cost='"320,5"',
        energy_cost="95",
        latitude='"50,85"',
        longitude='"4,3517"',
    )
    content = csv_text([row])
    client = client_for(transport_official)
    form = client.get(reverse("departments:asset-import")).content.decode()
    assert 'name="decimal_separator"' in form
    upload = SimpleUploadedFile("assets.csv", content.encode())
    response = client.post(reverse("departments:asset-import"), {"file": upload, "decimal_separator": ","})
    job = AssetImport.objects.get()
    assert response.status_code == 302 and job.status == AssetImport.Status.SUCCEEDED, job.errors
    assert job.decimal_separator == ","
    asset = Asset.objects.get()
    assert (asset.replacement_cost, asset.maintenance_cost) == (Decimal("8500.25"), Decimal("320.50"))
    assert (asset.latitude, asset.longitude) == (Decimal("50.850000"), Decimal("4.351700"))


def test_the_command_line_takes_the_decimal_separator_as_an_option(setup, tmp_path, capsys):
    path = tmp_path / "assets.csv"
    row = good_row(
        replacement_cost='"12,50"', maintenance_cost="320", energy_cost="95", latitude="", longitude=""
    )
    path.write_text(csv_text([row]))
    with pytest.raises(Exception, match="1 problem"):
        call_command("import_assets", str(path))
    assert (
        "row 2, column replacement_cost: Replacement cost “12,50” has a decimal comma"
        in capsys.readouterr().err
    )
    call_command("import_assets", str(path), "--decimal-separator", ",")
    assert Asset.objects.get().replacement_cost == Decimal("12.50")


class _Clock:
    """timezone for the services module: the job starts at `start` and everything after is 42 s later."""

    def __init__(self, start: datetime.datetime):
        self.times = [start, start + datetime.timedelta(seconds=42)]

    def now(self) -> datetime.datetime:
        return self.times.pop(0) if len(self.times) > 1 else self.times[0]


def test_a_background_import_keeps_its_real_start_and_shows_how_long_it_took(
    setup, client_for, transport_official, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_IMPORT_MAX_ROWS", 0)
    client = client_for(transport_official)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(
            reverse("departments:asset-import"),
            {"file": SimpleUploadedFile("a.csv", csv_text([good_row()]).encode())},
        )
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(services, "timezone", _Clock(start))
    queued[0]()  # the worker runs the job (eagerly here)
    job = AssetImport.objects.get()
    assert job.status == AssetImport.Status.SUCCEEDED
    assert (job.started_at, job.finished_at) == (start, start + datetime.timedelta(seconds=42))
    assert job.duration == datetime.timedelta(seconds=42)  # before: started_at overwritten at the end, 0 s
    page = client.get(reverse("departments:asset-import-detail", args=[job.pk])).content.decode()
    assert "took 42.0 s" in page


@pytest.mark.parametrize(
    "content",
    [b"PK not really a zip", bomb(1)[:-200]],
    ids=["not-a-zip", "cut-off"],
)
def test_a_damaged_xlsx_is_refused_in_the_form_not_with_a_server_error(
    setup, client_for, transport_official, content
):
    upload = SimpleUploadedFile("inventory.xlsx", content)
    response = client_for(transport_official).post(reverse("departments:asset-import"), {"file": upload})
    assert response.status_code == 200
    assert "The file could not be read as .xlsx:" in response.content.decode()
    assert not AssetImport.objects.exists()


def test_a_damaged_sheet_inside_a_sound_archive_fails_the_import_with_a_message(setup):
    broken = xlsx_bytes(
        workbook([good_row()], values=numbers),
        edit=lambda xml: xml.replace("</sheetData>", "<row><c></sheetData>"),
    )
    result = import_assets(io.BytesIO(broken), name="assets.xlsx", current_year=YEAR)
    assert [(row, column) for row, column, _ in errors_of(result)] == [(0, "")]
    assert errors_of(result)[0][2].startswith("The file could not be read as .xlsx:")
