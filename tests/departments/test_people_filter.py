from django.template import Context, Template


def render(user) -> str:
    return Template("{% load people %}{{ who|person }}").render(Context({"who": user}))


def test_a_person_is_named_by_full_name(transport_official):
    assert render(transport_official) == "Tina Transport"


def test_a_person_without_a_full_name_is_named_by_username(db):
    from tests.factories import UserFactory

    assert render(UserFactory(username="nameless", first_name="", last_name="")) == "nameless"


def test_a_history_row_of_a_deleted_user_shows_a_dash():
    assert render(None) == "—"
