"""Browser forms of proposals. Shapes only: the services check the rules and return every error by field."""

from __future__ import annotations

from django import forms

from procurement.proposals.models import FinancingModel

FIGURES = (
    "purchase_price",
    "running_cost",
    "financing_charge",
    "operation_fee",
    "savings_share",
    "guaranteed_savings",
)


class RequirementsForm(forms.Form):
    proposal_deadline = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), help_text="Server time zone."
    )
    clarification_deadline = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    accepted_models = forms.MultipleChoiceField(
        choices=FinancingModel.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    minimum_at_risk_share = forms.DecimalField(min_value=0, max_value=1, decimal_places=4, initial="0.2")
    price_weight = forms.DecimalField(decimal_places=2, initial=50)
    outcome_weight = forms.DecimalField(decimal_places=2, initial=30)
    standstill_days = forms.IntegerField(initial=10)
    criteria = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One quality criterion per line: name | weight | scoring guide.",
    )


class ProposalForm(forms.Form):
    financing_model = forms.ChoiceField(choices=FinancingModel.choices)
    purchase_price = forms.CharField(required=False, help_text="CapEx: price replacing Σ Cc × (1 + b).")
    running_cost = forms.CharField(required=False, help_text="CapEx: guaranteed yearly running cost.")
    financing_charge = forms.CharField(required=False, help_text="OpEx: yearly financing charge A′.")
    operation_fee = forms.CharField(
        required=False, help_text="OpEx: yearly operation fee O′ (start-year prices)."
    )
    savings_share = forms.CharField(required=False, help_text="Shared savings: your share s (0–1).")
    guaranteed_savings = forms.CharField(
        required=False, help_text="Shared savings: guaranteed yearly savings."
    )
    at_risk_share = forms.CharField(help_text="Share of payments at risk on outcomes (0–1).")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    document = forms.FileField(required=False, help_text="pdf, docx, xlsx, odt, csv or txt; at most 10 MB.")

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        for target in self.targets:
            self.fields[f"committed_{target.indicator_id}"] = forms.CharField(
                label=f"Committed: {target.indicator.name} ({target.indicator.unit})",
                help_text=f"Tender target {target.target_value.normalize():f}; "
                f"{target.indicator.get_direction_display().lower()}.",
            )

    def content(self) -> dict:
        data = self.cleaned_data
        model = data["financing_model"]
        from procurement.proposals.services import FIGURES_BY_MODEL

        return {
            "financing_model": model,
            "figures": {name: data.get(name) or None for name in FIGURES_BY_MODEL.get(model, ())},
            "at_risk_share": data.get("at_risk_share"),
            "targets": [
                {"indicator_id": t.indicator_id, "committed_value": data.get(f"committed_{t.indicator_id}")}
                for t in self.targets
            ],
            "summary": data.get("summary") or "",
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Every service error next to its field (figures.x → x, targets → the first committed field)."""
        for key, messages in errors.items():
            name = key.removeprefix("figures.")
            if name == "targets" and self.targets:
                name = f"committed_{self.targets[0].indicator_id}"
            if name == "documents":
                name = "document"
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
