def test_anonymous_visitor_is_sent_to_login_from_the_dashboard(anonymous, db):
    response = anonymous.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_signed_in_official_sees_the_dashboard_with_their_name(client_for, transport_official):
    response = client_for(transport_official).get("/")
    assert response.status_code == 200
    assert "Tina Transport" in response.content.decode()
    assert "Official · Transport" in response.content.decode()


def test_layout_loads_htmx_from_the_installed_package_not_a_cdn(client_for, transport_official):
    html = client_for(transport_official).get("/").content.decode()
    assert "/static/django_htmx/htmx" in html
    assert "https://" not in html.split("<body")[0]
