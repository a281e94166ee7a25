"""The site's one way of rendering forms, and of putting a service's refusal onto a form.

Every form renders through ``SiteFormRenderer``: ``{{ form }}`` gives an error summary at the top (each error a
link to its field) and each field with its label, help text and error, the input carrying ``aria-invalid`` and
``aria-describedby`` (Django 5.2 adds both when the field has errors). Pages with a special layout (a formset in
a table, a read-only form) include ``forms/summary.html`` and render fields with ``{{ field.as_field_group }}``.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting

from config.numbers import plain


class SiteFormRenderer(TemplatesSetting):
    """Project templates first, so templates/forms/ and templates/django/forms/widgets/ override Django's."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    formset_template_name = "forms/formset.html"


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on each field the form has, the rest at the top.

    ``form.add_error(None, error)`` would raise for a field the form does not show; a plain message (no
    field) goes to the top, so the user always reads the service's own words next to what they typed.
    """
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            on_form = field in form.fields and field != NON_FIELD_ERRORS
            form.add_error(field if on_form else None, messages)
    else:
        form.add_error(None, error.messages)


class PercentField(forms.DecimalField):
    """A rate entered and shown as a percentage ('3.5' means 3.5 %), cleaned to the stored fraction (0.035).

    ``fraction_places`` are the decimals the fraction is stored with; the percentage may have two fewer, so that
    every percentage a user may type is stored exactly (4 places of fraction = 2 places of percent).
    """

    def __init__(self, *, fraction_places: int = 4, max_digits: int | None = 7, **kwargs):
        self.fraction_places = fraction_places
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "decimal"}))
        super().__init__(max_digits=max_digits, decimal_places=fraction_places - 2, **kwargs)
        self.widget.attrs["step"] = "any"

    def prepare_value(self, value):
        # A stored fraction (Decimal or float, from the instance or the initial data) is shown as a percentage;
        # a string is what the user typed (or a preset filled in) and is shown as it is.
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            return plain(Decimal(str(value)) * 100)
        return value

    def clean(self, value):
        percentage = super().clean(value)
        if percentage is None:
            return None
        return (percentage / 100).quantize(Decimal(1).scaleb(-self.fraction_places))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["step"] = "any"
        return attrs


# --- Small forms that post and redirect (post/redirect/get) ------------------------------------------------------
# A form on a page that another view handles (a comment under a tender, an answer under a question) redirects
# back after a refusal. What the user typed and why it was refused travel in the session to the next page, which
# shows the form bound to that data with the errors at their fields, once.


def stash_refused_form(request, key: str, *, data: dict, errors: dict[str, list[str]]) -> None:
    request.session[f"refused-form:{key}"] = {"data": data, "errors": errors}


def take_refused_form(request, key: str, form_class: type[forms.Form], **kwargs) -> forms.Form | None:
    """The refused form stashed under `key`, bound to what was typed and carrying its errors; None if none."""
    stashed = request.session.pop(f"refused-form:{key}", None)
    if stashed is None:
        return None
    form = form_class(data=stashed["data"], **kwargs)
    form.is_valid()  # the form's own rules give their errors again
    for field, messages in stashed["errors"].items():
        known = field in form.fields and messages not in (form.errors.get(field) or [])
        if known or field not in form.fields:
            for message in messages:
                if message not in (form.errors.get(field if known else NON_FIELD_ERRORS) or []):
                    form.add_error(field if known else None, message)
    return form
