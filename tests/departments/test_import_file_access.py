"""An uploaded import file is stored under a random name and downloads only for whoever may see the import."""

import re

import pytest
from django.urls import reverse

from departments import services

from .conftest import csv_text, csv_upload, good_row


@pytest.fixture
def job(transport_official, bus_shelter, transport):
    return services.asset_import_start(
        file=csv_upload([good_row()], name="transport shelters 2026.csv"), actor=transport_official
    )


def file_url(job):
    return reverse("departments:asset-import-file", args=[job.pk])


def test_the_upload_is_stored_under_a_random_name_and_keeps_the_uploaders_name(job, settings):
    assert re.fullmatch(r"imports/assets/[0-9a-f]{32}\.csv", job.file.name)
    assert job.original_name == "transport shelters 2026.csv"
    assert (settings.MEDIA_ROOT / job.file.name).read_text() == csv_text([good_row()])


def test_the_uploader_downloads_the_file_as_an_attachment(client_for, transport_official, job):
    response = client_for(transport_official).get(file_url(job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == csv_text([good_row()])
    assert response["Content-Disposition"] == 'attachment; filename="transport shelters 2026.csv"'
    assert response["Content-Type"] == "text/csv"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_import_page_links_to_the_file(client_for, transport_official, job):
    page = client_for(transport_official).get(reverse("departments:asset-import-detail", args=[job.pk]))
    assert file_url(job) in page.content.decode()


@pytest.mark.parametrize("who", ["lighting_official", "parks_official", "finance_officer"])
def test_nobody_else_gets_the_file(request, client_for, job, who):
    assert client_for(request.getfixturevalue(who)).get(file_url(job)).status_code == 404


def test_an_anonymous_visitor_gets_no_file(anonymous, job):
    assert anonymous.get(f"/media/{job.file.name}").status_code == 404
    response = anonymous.get(file_url(job))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_file_name_that_looks_like_html_is_still_a_download_of_opaque_bytes(client_for, transport_official):
    from django.core.files.base import ContentFile

    from departments.models import AssetImport

    job = AssetImport(uploaded_by=transport_official, original_name="page.html")
    job.file.save("page.html", ContentFile(b"<script>alert(1)</script>"))
    response = client_for(transport_official).get(file_url(job))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'


def test_the_admin_links_the_file_to_the_checked_download_not_to_media(admin_client, job):
    page = admin_client.get(reverse("admin:departments_assetimport_change", args=[job.pk])).content.decode()
    assert file_url(job) in page
    assert "/media/" not in page
