"""Forms of the bulk budget pages (pooling, bulk decisions, lines for a term). They only shape input; every
rule is in finance.services.pooling (and the single-item services it calls)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from finance.forms_budgets import MONEY_FIELD
from finance.models import BudgetLine
from finance.selectors.budgets import manageable_departments
from finance.services.pooling import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR, MAX_TERM_YEARS


class PoolRowForm(forms.Form):
    """One proposed contribution: untick to leave it out, or change the amount."""

    include = forms.BooleanField(required=False, initial=True, label=_("Request"))
    budget_line = forms.ModelChoiceField(queryset=BudgetLine.objects.none(), widget=forms.HiddenInput)
    amount = forms.DecimalField(**MONEY_FIELD, required=False, label=_("Amount"))

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines if lines is not None else BudgetLine.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("include") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", gettext("Enter the amount to request, or untick the row."))
        return data


PoolFormSet = forms.formset_factory(PoolRowForm, extra=0, max_num=500, validate_max=True)


class IdListField(forms.Field):
    """The ticked boxes' ids. Which of them the user may see and decide is checked by the view and service."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        ids = []
        for item in value or []:
            if not str(item).isdigit() or len(str(item)) > 12:
                raise forms.ValidationError(
                    gettext("The selection is not valid; reload the page and select again.")
                )
            ids.append(int(item))
        return list(dict.fromkeys(ids))


class BulkDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve selected")), ("reject", _("Reject selected"))], label=_("Decision")
    )
    contribution = IdListField(required=False, label=_("Contributions"))
    comment = forms.CharField(required=False, max_length=2000, label=_("Reason"))

    def clean(self):
        data = super().clean()
        if not data.get("contribution"):
            raise forms.ValidationError(gettext("Select at least one contribution (tick its box)."))
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", gettext("Say why the selected contributions are rejected."))
        return data


class TermForm(forms.Form):
    """A department's lines for a range of fiscal years; the amounts given here are repeated every year."""

    department = forms.ModelChoiceField(queryset=None, label=_("Department"))
    first_year = forms.IntegerField(
        min_value=FIRST_FISCAL_YEAR, max_value=LAST_FISCAL_YEAR, label=_("From year")
    )
    last_year = forms.IntegerField(
        min_value=FIRST_FISCAL_YEAR, max_value=LAST_FISCAL_YEAR, label=_("To year")
    )
    name = forms.CharField(
        max_length=200, initial="General", label=_("Name"), help_text=_("Programme or line name.")
    )
    currency = forms.CharField(max_length=3, min_length=3, initial="EUR", label=_("Currency"))
    capex_each_year = forms.DecimalField(
        **MONEY_FIELD,
        required=False,
        min_value=Decimal("0"),
        label=_("CapEx each year"),
        help_text=_("Repeated every year; leave empty for no CapEx lines. Change single years below."),
    )
    opex_each_year = forms.DecimalField(
        **MONEY_FIELD,
        required=False,
        min_value=Decimal("0"),
        label=_("OpEx each year"),
        help_text=_("Repeated every year; leave empty for no OpEx lines."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = manageable_departments(user=user)

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean(self):
        data = super().clean()
        first, last = data.get("first_year"), data.get("last_year")
        if first and last:
            if last < first:
                self.add_error("last_year", gettext("The last year comes after the first."))
            elif last - first + 1 > MAX_TERM_YEARS:
                self.add_error(
                    "last_year",
                    gettext("Enter at most %(count)d years at once.") % {"count": MAX_TERM_YEARS},
                )
        return data

    def years(self) -> list[int]:
        return list(range(self.cleaned_data["first_year"], self.cleaned_data["last_year"] + 1))


class TermYearForm(forms.Form):
    """The amounts of one fiscal year (empty: no line of that type)."""

    fiscal_year = forms.IntegerField(widget=forms.HiddenInput, label=_("Fiscal year"))
    capex = forms.DecimalField(**MONEY_FIELD, required=False, min_value=Decimal("0"), label=_("CapEx"))
    opex = forms.DecimalField(**MONEY_FIELD, required=False, min_value=Decimal("0"), label=_("OpEx"))


TermYearFormSet = forms.formset_factory(TermYearForm, extra=0, max_num=MAX_TERM_YEARS, validate_max=True)
