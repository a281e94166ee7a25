"""One form field per city language besides the main one, for each translatable field of a form's model.

A form lists `translated_fields = {"title": TITLE_LABEL, ...}` and mixes in
`TranslationFieldsMixin` (before its ModelForm base). Each variant is a field `title_fr` placed after the
form's last base field; `clean()` gathers them into `cleaned_data["translations"]` ({"fr": {"title": …}}), the
shape the services take, and drops the separate keys (the services are given only what they know).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from multilingual.languages import language_name, variant_languages
from multilingual.translations import variant, variant_key

TEXT_AREAS = {"description"}
# Labels of the variant fields, e.g. "Title (Français)" (the language's own name).
TITLE_LABEL = _("Title (%(language)s)")
DESCRIPTION_LABEL = _("Description (%(language)s)")
NAME_LABEL = _("Name (%(language)s)")


class TranslationFieldsMixin:
    # {field: label with %(language)s}; the model's field gives the length limit and the widget.
    translated_fields: dict = {}
    # Where the variant fields go: after this field (default: the last translated base field on the form).
    translations_after: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        stored = getattr(instance, "translations", None) or {}
        added: list[str] = []
        for language in variant_languages():
            for field, label in self.translated_fields.items():
                model_field = instance._meta.get_field(field) if instance is not None else None
                max_length = getattr(model_field, "max_length", None)
                widget = forms.Textarea(attrs={"rows": 3}) if field in TEXT_AREAS else forms.TextInput
                name = variant_key(field, language)
                self.fields[name] = forms.CharField(
                    label=label % {"language": language_name(language)},
                    required=False,
                    max_length=max_length,
                    widget=widget,
                    initial=variant(stored, field, language),
                )
                # The form field of a language reads and is read in that language.
                self.fields[name].widget.attrs["lang"] = language
                added.append(name)
        after = self.translations_after or next(
            (f for f in reversed(list(self.translated_fields)) if f in self.fields), None
        )
        if after and added:
            order = [name for name in self.fields if name not in added]
            position = order.index(after) + 1 if after in order else len(order)
            self.order_fields(order[:position] + added + order[position:])

    def clean(self):
        data = super().clean()
        translations: dict[str, dict[str, str]] = {}
        for language in variant_languages():
            for field in self.translated_fields:
                text = (data.pop(variant_key(field, language), "") or "").strip()
                if text:
                    translations.setdefault(language, {})[field] = text
        data["translations"] = translations
        return data

    def translations_changed(self) -> bool:
        return any(name in self.changed_data for name in self._variant_names())

    def _variant_names(self) -> list[str]:
        return [variant_key(f, lang) for lang in variant_languages() for f in self.translated_fields]
