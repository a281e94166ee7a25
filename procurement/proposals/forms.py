"""Browser forms of proposals. Shapes only: the services check the rules and return every error by field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.proposals.models import FinancingModel
from procurement.publication.services import QUESTION_MAX_LENGTH

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
        label=gettext_lazy("Proposal deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Server time zone."),
    )
    clarification_deadline = forms.DateTimeField(
        label=gettext_lazy("Clarification deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    accepted_models = forms.MultipleChoiceField(
        label=gettext_lazy("Accepted models"),
        choices=FinancingModel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    minimum_at_risk_share = forms.DecimalField(
        label=gettext_lazy("Minimum at risk share"), min_value=0, max_value=1, decimal_places=4, initial="0.2"
    )
    price_weight = forms.DecimalField(label=gettext_lazy("Price weight"), decimal_places=2, initial=50)
    outcome_weight = forms.DecimalField(label=gettext_lazy("Outcome weight"), decimal_places=2, initial=30)
    standstill_days = forms.IntegerField(label=gettext_lazy("Standstill days"), initial=10)
    criteria = forms.CharField(
        label=gettext_lazy("Criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One quality criterion per line: name | weight | scoring guide."),
    )


class _SeveralFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class _Files(forms.FileField):
    """Several files in one field (the browser's `multiple`): a list, each file checked as a FileField does.
    How many and how large are refused here, before any file is read; what each holds the service checks (as
    for the API)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _SeveralFiles())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        from procurement.proposals.services import MAX_DOCUMENTS
        from procurement.services.tenders import MAX_DOCUMENT_BYTES

        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if len(files) > MAX_DOCUMENTS:
            raise forms.ValidationError(
                _("At most %(count)s documents per proposal.") % {"count": MAX_DOCUMENTS}
            )
        too_large = [
            _("“%(name)s” is %(size)s MB; the limit is 10 MB.")
            % {"name": item.name, "size": f"{item.size / 1024 / 1024:.1f}"}
            for item in files
            if item.size > MAX_DOCUMENT_BYTES
        ]
        if too_large:
            raise forms.ValidationError(too_large)
        return [super(_Files, self).clean(item, initial) for item in files]


class ProposalForm(forms.Form):
    financing_model = forms.ChoiceField(label=gettext_lazy("Financing model"), choices=FinancingModel.choices)
    purchase_price = forms.CharField(
        label=gettext_lazy("Purchase price"),
        required=False,
        help_text=gettext_lazy("CapEx: price replacing Σ Cc × (1 + b)."),
    )
    running_cost = forms.CharField(
        label=gettext_lazy("Running cost"),
        required=False,
        help_text=gettext_lazy("CapEx: guaranteed yearly running cost."),
    )
    financing_charge = forms.CharField(
        label=gettext_lazy("Financing charge"),
        required=False,
        help_text=gettext_lazy("OpEx: yearly financing charge A′."),
    )
    operation_fee = forms.CharField(
        label=gettext_lazy("Operation fee"),
        required=False,
        help_text=gettext_lazy("OpEx: yearly operation fee O′ (start-year prices)."),
    )
    savings_share = forms.CharField(
        label=gettext_lazy("Savings share"),
        required=False,
        help_text=gettext_lazy("Shared savings: your share s (0–1)."),
    )
    guaranteed_savings = forms.CharField(
        label=gettext_lazy("Guaranteed savings"),
        required=False,
        help_text=gettext_lazy("Shared savings: guaranteed yearly savings."),
    )
    at_risk_share = forms.CharField(
        label=gettext_lazy("At risk share"),
        help_text=gettext_lazy("Share of payments at risk on outcomes (0–1)."),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    documents = _Files(
        label=gettext_lazy("Documents"),
        required=False,
        help_text=gettext_lazy("Up to 5 files: pdf, docx, xlsx, odt, csv or txt; at most 10 MB each."),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        for target in self.targets:
            self.fields[f"committed_{target.indicator_id}"] = forms.CharField(
                # Translators: a form label; the indicator's name and its unit follow.
                label=_("Committed: %(indicator)s (%(unit)s)")
                % {"indicator": target.indicator.name, "unit": target.indicator.unit},
                help_text=_("Tender target %(target)s; %(direction)s.")
                % {
                    "target": f"{target.target_value.normalize():f}",
                    "direction": target.indicator.get_direction_display().lower(),
                },
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
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class QuestionForm(forms.Form):
    """A partner's clarification question (the service checks that questions are still taken)."""

    question = forms.CharField(
        label=gettext_lazy("Your question"),
        help_text=gettext_lazy(
            "The answer is published to every partner, with your question; the name of your organisation is not."
        ),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
