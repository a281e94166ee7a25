"""The amendment form of a published tender (officials, in the browser)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from multilingual.forms import DESCRIPTION_LABEL, TITLE_LABEL, TranslationFieldsMixin
from procurement.models import Tender


class TenderAmendForm(TranslationFieldsMixin, forms.ModelForm):
    # A change of a translation after publication is an amendment too (releases are immutable).
    translated_fields = {"title": TITLE_LABEL, "description": DESCRIPTION_LABEL}
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Comment"),
        help_text=_("Why the tender changes (kept in its history)."),
    )

    class Meta:
        model = Tender
        fields = ["title", "description", "tender_period_start", "tender_period_end"]
        widgets = {
            "tender_period_start": forms.DateInput(attrs={"type": "date"}),
            "tender_period_end": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("tender_period_start"), data.get("tender_period_end")
        if start and end and end < start:
            self.add_error("tender_period_end", _("The tender period cannot end before it starts."))
        if not self.has_changed() or self.changed_data == ["comment"]:
            raise forms.ValidationError(_("Change at least one field: an amendment publishes a new release."))
        return data

    def changes(self) -> dict:
        changes = {name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields}
        if self.translations_changed():
            changes["translations"] = self.cleaned_data["translations"]
        return changes
