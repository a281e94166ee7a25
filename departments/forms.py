"""Browser forms of the departments app. Rules live in the model (full_clean) and the services."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.import_forms import DecimalSeparatorField

from .imports import ALL_COLUMNS
from .models import Asset, Department

ASSET_FORM_FIELDS = [
    "category",
    "external_ref",
    "name",
    "area",
    "install_year",
    "life_years",
    "replacement_cost",
    "maintenance_cost",
    "energy_cost",
    "condition",
    "latitude",
    "longitude",
]


CONDITION_CHOICES = [
    (1, _("1 – very poor")),
    (2, _("2 – poor")),
    (3, _("3 – fair")),
    (4, _("4 – good")),
    (5, _("5 – new")),
]


class AssetForm(forms.ModelForm):
    """Create (with a department among the user's own) or edit an asset (department fixed)."""

    class Meta:
        model = Asset
        fields = ["department", *ASSET_FORM_FIELDS]

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = (
                departments if departments is not None else Department.objects.none()
            )
            if departments is not None and len(departments) == 1:
                self.fields["department"].initial = departments.first()
        self.fields["install_year"].help_text = gettext(
            "Year the asset was installed (at most %(year)s)."
        ) % {"year": timezone.localdate().year}
        self.fields["condition"].widget = forms.Select(choices=CONDITION_CHOICES)


class AssetImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        # Translators: the column names are the file's fixed format and stay in English.
        help_text=format_lazy(_("Header row with the columns: {columns}."), columns=", ".join(ALL_COLUMNS)),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    decimal_separator = DecimalSeparatorField()

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(gettext("Upload a .csv or .xlsx file."))
        return file
