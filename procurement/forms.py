"""Browser forms of tender drafting. They check shapes; the rules live in procurement.services.tenders."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.numbers import measure
from departments.models import Department
from multilingual.forms import DESCRIPTION_LABEL, TITLE_LABEL, TranslationFieldsMixin
from outcomes.models import Indicator
from procurement.models import Tender, TenderAsset, TenderDocument
from procurement.publication.validation import currency_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TenderBasicsForm(TranslationFieldsMixin, forms.ModelForm):
    """Step 1 (basics). On creation the lead department is one where the user is an official."""

    # The title and description in the city's other languages (multilingual/): "Title (Français)".
    translated_fields = {
        "title": TITLE_LABEL,
        "description": DESCRIPTION_LABEL,
    }

    lead_department = forms.ModelChoiceField(
        queryset=Department.objects.none(), label=gettext_lazy("Lead department")
    )

    class Meta:
        model = Tender
        fields = [
            "title",
            "description",
            "lead_department",
            "procurement_method",
            "main_category",
            "contract_term_years",
            "tender_period_start",
            "tender_period_end",
            "currency",
        ]
        widgets = {
            "tender_period_start": DATE,
            "tender_period_end": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "title": gettext_lazy("Title"),
            "description": gettext_lazy("Description"),
            "procurement_method": gettext_lazy("Procurement method"),
            "main_category": gettext_lazy("Main category"),
            "contract_term_years": gettext_lazy("Contract term (years)"),
            "tender_period_start": gettext_lazy("Tender period start"),
            "tender_period_end": gettext_lazy("Tender period end"),
            "currency": gettext_lazy("Currency"),
        }

    def __init__(self, *args, lead_departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The lead department of an existing tender is fixed (its officials own the draft).
            del self.fields["lead_department"]
        else:
            self.fields["lead_department"].queryset = lead_departments
            if lead_departments is not None and len(lead_departments) == 1:
                self.fields["lead_department"].initial = lead_departments[0]
        self.fields["title"].error_messages["required"] = _("Give the tender a title.")
        # A choice, not a text box: an unknown code would only fail at publication.
        self.fields["currency"].widget = forms.Select(choices=currency_choices())

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the tender a title."))
        return title

    def clean_contract_term_years(self):
        term = self.cleaned_data["contract_term_years"]
        if term is not None and not 1 <= term <= 30:
            raise forms.ValidationError(_("The contract term must be between 1 and 30 years."))
        return term

    def clean_currency(self):
        currency = (self.cleaned_data.get("currency") or "").strip().upper()
        if currency not in dict(currency_choices()):
            raise forms.ValidationError(_("Choose a currency from the list (ISO 4217, e.g. EUR)."))
        return currency

    def clean(self):
        data = super().clean()
        start, end = data.get("tender_period_start"), data.get("tender_period_end")
        if start and end and end < start:
            self.add_error("tender_period_end", _("The tender period cannot end before it starts."))
        return data

    def _post_clean(self):
        # The service runs full_clean() on save; skip the ModelForm's own instance validation so errors are
        # not reported twice (and lead_department need not be set on the instance here).
        pass


class AssetAddForm(forms.Form):
    """Bulk add: either the ticked assets or every asset matching the current filter."""

    action = forms.ChoiceField(
        choices=TenderAsset.Action.choices, initial=TenderAsset.Action.UPGRADE, label=gettext_lazy("Action")
    )
    asset = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    scope = forms.ChoiceField(
        choices=[
            ("selected", gettext_lazy("Ticked assets")),
            ("filter", gettext_lazy("All matching the filter")),
        ],
        label=gettext_lazy("Which assets"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is accepted here; the service decides what exists and what may be bundled.
        self.fields["asset"].valid_value = lambda value: True

    def clean(self):
        data = super().clean()
        if data.get("scope") == "selected" and not data.get("asset"):
            raise forms.ValidationError(_("Tick at least one asset, or add all assets matching the filter."))
        return data


class OutcomeTargetForm(forms.Form):
    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.filter(is_retired=False).select_related("outcome"),
        required=False,
        label=gettext_lazy("Indicator"),
    )
    target_value = forms.DecimalField(
        max_digits=18, decimal_places=4, required=False, label=gettext_lazy("Contract target")
    )
    payment_weight = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=0,
        max_value=100,
        label=gettext_lazy("Payment weight (%)"),
    )

    def clean(self):
        data = super().clean()
        if data.get("indicator") and data.get("target_value") is None:
            self.add_error("target_value", _("Give the contract's target value for this indicator."))
        elif data.get("indicator"):
            # The model's own rule (TenderOutcome.clean), checked here too so that the message stands next to
            # the row's target instead of at the top of the page.
            message = data["indicator"].range_error(data["target_value"], what=_("The target"))
            if message:
                self.add_error("target_value", message)
        if not data.get("indicator") and (
            data.get("target_value") is not None or data.get("payment_weight") is not None
        ):
            self.add_error("indicator", _("Choose the indicator this target is for."))
        return data


class BaseOutcomeTargetFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        weights = []
        for form in self.forms:
            indicator = form.cleaned_data.get("indicator")
            if not indicator:
                continue
            if indicator.pk in seen:
                raise forms.ValidationError(
                    _("“%(indicator)s” is chosen twice; target each indicator once.")
                    % {"indicator": indicator.name}
                )
            seen.add(indicator.pk)
            if form.cleaned_data.get("payment_weight") is not None:
                weights.append(form.cleaned_data["payment_weight"])
        if weights and sum(weights) != 100:
            raise forms.ValidationError(
                _("Payment weights must add up to 100 %% when any is set; they add up to %(total)s %%.")
                % {"total": measure(sum(weights))}
            )


OutcomeTargetFormSet = forms.formset_factory(OutcomeTargetForm, formset=BaseOutcomeTargetFormSet, extra=2)


class DocumentForm(forms.ModelForm):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("pdf, docx, xlsx, odt, csv or txt; at most 10 MB.")
    )

    class Meta:
        model = TenderDocument
        fields = ["kind", "title"]
        labels = {"kind": gettext_lazy("Kind"), "title": gettext_lazy("Title")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Defaults to the file name.")

    def _post_clean(self):
        pass


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Comment"),
        max_length=5000,
        error_messages={"required": gettext_lazy("Write a comment first.")},
    )


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Comment")
    )
    award_supplier_name = forms.CharField(required=False, max_length=200, label=gettext_lazy("Supplier"))
    award_value = forms.DecimalField(
        required=False, max_digits=18, decimal_places=2, label=gettext_lazy("Award value")
    )
    award_date = forms.DateField(required=False, widget=DATE, label=gettext_lazy("Award date"))
