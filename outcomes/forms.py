"""Browser forms of the outcomes app. They validate input; the services decide and save."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.forms import add_service_errors  # noqa: F401 — the site-wide rule, imported by views
from config.import_forms import DecimalSeparatorField
from departments.models import AssetCategory, Department
from multilingual.forms import DESCRIPTION_LABEL, NAME_LABEL, TITLE_LABEL, TranslationFieldsMixin

from . import selectors
from .labels import FIELD_LABELS
from .models import Indicator, Measurement, Outcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ModelRulesForm(forms.ModelForm):
    """A ModelForm that shows the model's clean() errors for fields it does not have at the top, instead of
    failing (the model's rules are shared with the CSV import, which has other columns). Fields keeping the
    label Django derives from the field name get it in the reader's language (FIELD_LABELS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in FIELD_LABELS and field.label in (None, capfirst(name.replace("_", " "))):
                field.label = FIELD_LABELS[name]

    def _update_errors(self, errors: ValidationError) -> None:
        if hasattr(errors, "error_dict"):
            moved: dict[str, list] = {}
            for field, field_errors in errors.error_dict.items():
                key = field if field in self.fields else NON_FIELD_ERRORS
                moved.setdefault(key, []).extend(field_errors)
            errors = ValidationError(moved)
        super()._update_errors(errors)


class OutcomeFilterForm(forms.Form):
    theme = forms.ChoiceField(
        label=_("Theme"), choices=[("", _("Any theme")), *Outcome.Theme.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("Any department"),
        help_text=_("Owner or contributor."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Outcome.Status.choices], required=False
    )


class OutcomeForm(TranslationFieldsMixin, ModelRulesForm):
    # The title and description in the city's other languages (multilingual/): "Title (Français)".
    translated_fields = {
        "title": TITLE_LABEL,
        "description": DESCRIPTION_LABEL,
    }

    class Meta:
        model = Outcome
        fields = ["title", "description", "theme", "owner_department", "contributing_departments", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "contributing_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # An official may only make an outcome owned by a department they are an official of.
        owners = selectors.departments_user_may_own_outcomes_for(user=user)
        if self.instance.pk:
            owners = owners | Department.objects.filter(pk=self.instance.owner_department_id)
        self.fields["owner_department"].queryset = owners.distinct()
        self.fields["contributing_departments"].queryset = Department.objects.filter(
            kind=Department.Kind.SERVICE
        )
        self.fields["contributing_departments"].help_text = _(
            "Departments that share this outcome and report on it."
        )

    def clean(self):
        cleaned = super().clean()
        owner = cleaned.get("owner_department")
        contributing = cleaned.get("contributing_departments")
        if owner and contributing and owner in contributing:
            cleaned["contributing_departments"] = [d for d in contributing if d != owner]
        return cleaned


class IndicatorForm(TranslationFieldsMixin, ModelRulesForm):
    # The name in the city's other languages (multilingual/): "Name (Français)".
    translated_fields = {"name": NAME_LABEL}
    baseline_departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.filter(kind=Department.Kind.SERVICE),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a baseline from assets: none ticked = all departments."),
    )
    baseline_categories = forms.ModelMultipleChoiceField(
        queryset=AssetCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a baseline from assets: none ticked = all categories."),
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "definition",
            "unit",
            "direction",
            "scale",
            "valid_min",
            "valid_max",
            "baseline_source",
            "baseline_value",
            "baseline_period",
            "baseline_asset_measure",
            "baseline_departments",
            "baseline_categories",
            "target_value",
            "target_date",
            "measurement_method",
            "data_source",
            "frequency",
            "verified_by",
            "is_retired",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 2}),
            "measurement_method": forms.Textarea(attrs={"rows": 2}),
            "baseline_period": DATE,
            "target_date": DATE,
            "baseline_source": forms.RadioSelect,
        }
        labels = {"is_retired": _("Retired (takes no new measurements)")}
        help_texts = {"baseline_value": _("Entered baselines only; a baseline from assets is computed.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["baseline_value"].required = False
        if not self.instance.pk:
            del self.fields["is_retired"]
        self.asset_baseline: selectors.AssetBaseline | None = None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("baseline_source") == Indicator.BaselineSource.ASSETS:
            measure = cleaned.get("baseline_asset_measure")
            if not measure:
                self.add_error("baseline_asset_measure", gettext("Choose what to compute from the assets."))
            else:
                # Computed here too so that the model's target rules judge the real baseline; the service
                # computes it again inside its transaction and that is the figure stored.
                unchanged = (
                    self.instance.pk
                    and self.instance.baseline_source == Indicator.BaselineSource.ASSETS
                    and self.instance.baseline_asset_measure == measure
                    and set(self.instance.baseline_departments.all())
                    == set(cleaned.get("baseline_departments", []))
                    and set(self.instance.baseline_categories.all())
                    == set(cleaned.get("baseline_categories", []))
                )
                if unchanged:
                    cleaned["baseline_value"] = self.instance.baseline_value
                else:
                    self.asset_baseline = selectors.asset_baseline(
                        measure=measure,
                        departments=cleaned.get("baseline_departments", []),
                        categories=cleaned.get("baseline_categories", []),
                    )
                    cleaned["baseline_value"] = self.asset_baseline.value
        elif cleaned.get("baseline_value") is None and "baseline_value" not in self.errors:
            self.add_error("baseline_value", gettext("Enter the baseline value (or compute it from assets)."))
        return cleaned

    def service_fields(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("baseline_departments", "baseline_categories")
        }
        return data


class MeasurementForm(ModelRulesForm):
    class Meta:
        model = Measurement
        fields = ["period", "value", "source", "note"]
        widgets = {"period": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        # Translators: the column names indicator, period, value, source and note stay in English (the file's
        # header must use them as they are).
        help_text=_(
            "UTF-8 CSV with columns indicator (id or name), period (YYYY-MM-DD), value; optional source, note."
        ),
    )
    decimal_separator = DecimalSeparatorField()
