"""Forms of the budget pages. They only shape input; every rule is in finance.services.budgets."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.import_forms import DecimalSeparatorField
from config.numbers import money
from finance.models import BudgetLine, BudgetType
from finance.selectors.budgets import manageable_departments

MONEY_FIELD = {"max_digits": 18, "decimal_places": 2}


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["department", "fiscal_year", "budget_type", "name", "amount", "currency", "note"]
        labels = {
            "department": _("Department"),
            "fiscal_year": _("Fiscal year"),
            "budget_type": _("Budget type"),
            "name": _("Name"),
            "amount": _("Amount"),
            "currency": _("Currency"),
            "note": _("Note"),
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = manageable_departments(user=user)
        self.fields["fiscal_year"].min_value = 2000
        self.fields["amount"].help_text = _("EUR, nominal, for the whole fiscal year.")

    def clean_fiscal_year(self):
        year = self.cleaned_data["fiscal_year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(gettext("Enter a year between 2000 and 2100."))
        return year

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(gettext("The amount cannot be negative."))
        return amount

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class BudgetLineImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        # Translators: the column names (department, fiscal_year, …) are read by the import: keep them as they are.
        help_text=_(
            "CSV with columns department, fiscal_year, budget_type, amount (and optionally name, "
            "currency, note). At most 2 MB."
        ),
    )
    decimal_separator = DecimalSeparatorField()


class ContributionRequestForm(forms.Form):
    budget_line = forms.ModelChoiceField(queryset=BudgetLine.objects.none(), label=_("Budget line"))
    amount = forms.DecimalField(
        **MONEY_FIELD, label=_("Amount"), help_text=_("EUR; it is held on the line until finance decides.")
    )
    comment = forms.CharField(required=False, widget=forms.TextInput, label=_("Comment"))

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = BudgetLine.objects.select_related("department").filter(
            pk__in=[line.pk for line, _usage in lines]
        )
        labels = {
            # Translators: a budget line offered to request money from, e.g. "Transport 2027 OpEx — General
            # — 40,000.00 EUR available".
            line.pk: gettext("%(line)s — %(available)s %(currency)s available")
            % {"line": line, "available": money(usage.available), "currency": line.currency}
            for line, usage in lines
        }
        self.fields["budget_line"].label_from_instance = lambda line: labels.get(line.pk, str(line))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], label=_("Decision")
    )
    comment = forms.CharField(required=False, max_length=2000, label=_("Comment"))


class TenderNeedForm(forms.Form):
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100, label=_("Fiscal year"))
    budget_type = forms.ChoiceField(choices=BudgetType.choices, label=_("Budget type"))
    amount = forms.DecimalField(
        **MONEY_FIELD,
        min_value=Decimal("0"),
        label=_("Amount"),
        help_text=_("EUR needed that year (0 removes the entry)."),
    )


class FundingOverrideForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        label=_("Reason"),
        error_messages={"required": _("Give the reason for the override.")},
    )


class QueueFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=_("All departments"), label=_("Department")
    )
    fiscal_year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("Fiscal year"))
    tender = forms.CharField(required=False, label=_("Tender reference"))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class LineFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=_("All departments"), label=_("Department")
    )
    fiscal_year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label=_("Fiscal year"))
    budget_type = forms.ChoiceField(
        choices=[("", _("All types")), *BudgetType.choices], required=False, label=_("Budget type")
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class BudgetLineAmountForm(forms.Form):
    amount = forms.DecimalField(
        **MONEY_FIELD,
        min_value=Decimal("0"),
        label=_("Amount"),
        help_text=_("EUR, nominal, whole fiscal year."),
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Note"))
