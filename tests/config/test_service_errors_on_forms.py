"""A service's refusal lands on the form: each field error next to its field, the rest in the summary."""

from django import forms
from django.core.exceptions import ValidationError

from config.forms import add_service_errors


class _TitleForm(forms.Form):
    title = forms.CharField()


def _bound() -> _TitleForm:
    form = _TitleForm({"title": "Bus stops"})
    assert form.is_valid()
    return form


def test_a_field_error_of_the_service_goes_next_to_that_field():
    form = _bound()
    add_service_errors(form, ValidationError({"title": "A tender with this title exists."}))
    assert form.errors["title"] == ["A tender with this title exists."]
    assert 'aria-invalid="true"' in str(form["title"])
    assert '<a href="#id_title">' in str(form)


def test_an_error_about_a_field_the_form_does_not_show_goes_to_the_top_instead_of_failing():
    form = _bound()
    add_service_errors(form, ValidationError({"currency": "Unknown currency.", "title": "Too short."}))
    assert form.non_field_errors() == ["Unknown currency."]
    assert form.errors["title"] == ["Too short."]


def test_a_plain_service_message_goes_to_the_top():
    form = _bound()
    add_service_errors(form, ValidationError("The tender is no longer a draft."))
    assert form.non_field_errors() == ["The tender is no longer a draft."]
    assert "The tender is no longer a draft." in str(form)
