import pytest
from django.urls import reverse

from procurement.models import ApiToken, Release
from procurement.publication.tokens import hash_key
from tests.procurement.publication.factories import published_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@city.example", "pw-admin-2027")
    client.force_login(admin)
    return client


def test_admin_creates_a_token_and_sees_the_key_once(admin_client_, partner):
    response = admin_client_.post(
        reverse("admin:procurement_partnerorganisation_changelist"),
        {"action": "create_token", "_selected_action": [partner.pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(organisation=partner)
    start = html.index('data-testid="new-key">') + len('data-testid="new-key">')
    key = html[start : html.index("</code>", start)]
    assert hash_key(key) == token.key_hash
    assert "no-store" in response["Cache-Control"]
    # Never again: the partner's page shows the prefix only.
    page = admin_client_.get(reverse("admin:procurement_partnerorganisation_change", args=[partner.pk]))
    assert token.prefix in page.content.decode() and key not in page.content.decode()


def test_admin_revokes_a_token(admin_client_, partner):
    from procurement.publication.tokens import token_create

    token, _ = token_create(organisation=partner, name="x")
    admin_client_.post(
        reverse("admin:procurement_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_releases_are_read_only_in_admin(admin_client_, transport):
    release = published_tender(lead=transport).releases.get()
    url = reverse("admin:procurement_release_change", args=[release.pk])
    assert admin_client_.get(url).status_code == 200
    admin_client_.post(url, {"tag": "award"})
    assert Release.objects.get(pk=release.pk).tag == "tender"
    delete = admin_client_.post(
        reverse("admin:procurement_release_delete", args=[release.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Release.objects.filter(pk=release.pk).exists()
