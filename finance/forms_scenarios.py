"""Forms of financing scenarios. Validation reuses the engine's own rules, so messages are the engine's words."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.forms import PercentField
from config.numbers import plain
from finance.engine.inputs import RATE_RANGES
from finance.engine.presets import OPTIMISM_BIAS_PRESETS
from finance.models import ScenarioAssumptions
from finance.models.scenarios import Scenario
from finance.scenario_text import PRESET_LABELS, engine_problem_text
from finance.services.scenarios import ASSUMPTION_FIELDS, ENGINE_NAMES, assumption_problems_by_field

CUSTOM = "custom"
RATE_FIELDS = [
    "discount_rate",
    "inflation",
    "energy_escalation",
    "optimism_bias",
    "partner_cost_of_capital",
    "partner_margin",
    "partner_savings_share",
    "payment_at_risk_share",
    "outcome_achievement",
]

# Label and help text (with the unit) of every field. Rates are entered as percentages (3.5 means 3.5 %) and
# stored as fractions (0.035), as the engine takes them.
FIELD_TEXT = {
    "project_type": (
        _("Project type (optimism-bias preset)"),
        _("Green Book project type; 'Use preset' sets the CapEx optimism bias to its upper bound."),
    ),
    "start_year": (
        _("First year"),
        _("Calendar year of t = 0, e.g. 2027. Assets must be installed by then."),
    ),
    "horizon_years": (_("Horizon"), _("Years compared, 1–60.")),
    "discount_rate": (_("Discount rate (real, % per year)"), _("Percent per year; Green Book: 3.5.")),
    "inflation": (_("Inflation (% per year)"), _("Percent per year, e.g. 2.")),
    "energy_escalation": (
        _("Energy price escalation (% per year)"),
        _("Percent per year on energy costs, e.g. 3."),
    ),
    "optimism_bias": (
        _("Optimism bias (CapEx uplift, %)"),
        _("Percent added to city-paid CapEx, e.g. 24."),
    ),
    "partner_cost_of_capital": (
        _("Partner cost of capital (% per year)"),
        _("Nominal, percent per year: the partner's discount and annuity rate, e.g. 7."),
    ),
    "partner_margin": (
        _("Partner margin (%)"),
        _("Percent on the operation costs the partner runs, e.g. 10."),
    ),
    "contract_term_years": (_("Contract term"), _("Years the partner is paid, at most the horizon.")),
    "partner_savings_share": (
        _("Partner share of savings (%)"),
        _("Percent 0–100 of savings paid in shared savings."),
    ),
    "payment_at_risk_share": (
        _("Payment at risk (%)"),
        _("Percent 0–100 of partner payments linked to outcomes."),
    ),
    "outcome_achievement": (
        _("Expected outcome achievement (%)"),
        _("Percent 0–100 of targets expected to be met."),
    ),
    "monte_carlo_draws": (_("Monte Carlo draws"), _("Number of simulated futures, 0–100,000 (0 skips it).")),
    "seed": (_("Random seed"), _("Whole number: the same seed gives the same Monte Carlo result.")),
}


class ScenarioAssumptionsForm(forms.ModelForm):
    project_type = forms.ChoiceField(
        choices=[
            (p.project_type, PRESET_LABELS.get(p.project_type, p.description))
            for p in OPTIMISM_BIAS_PRESETS.values()
        ]
        + [(CUSTOM, _("Custom (my own optimism bias)"))]
    )

    class Meta:
        model = ScenarioAssumptions
        fields = ["project_type", *ASSUMPTION_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RATE_FIELDS:
            self.fields[name] = PercentField(
                fraction_places=ScenarioAssumptions._meta.get_field(name).decimal_places
            )
        for name, (label, help_text) in FIELD_TEXT.items():
            self.fields[name].label = label
            self.fields[name].help_text = help_text
        # Ranges are the engine's to judge (below), so that a user meets one wording, not Django's and the
        # engine's: drop the model's duplicate range validators from the form fields.
        for name in ("horizon_years", "monte_carlo_draws"):
            self.fields[name].validators = []
            self.fields[name].widget.attrs.pop("max", None)
            self.fields[name].widget.attrs.pop("min", None)

    def clean(self):
        data = super().clean()
        if all(name in data for name in ASSUMPTION_FIELDS):
            for field, problems in assumption_problems_by_field(data).items():
                if field in RATE_FIELDS:
                    # The engine speaks in fractions; the user typed a percentage, so answer in percentages.
                    low, high, _ = RATE_RANGES[ENGINE_NAMES.get(field, field)]
                    problems = [
                        gettext("Enter a percentage between %(low)s and %(high)s (you entered %(value)s).")
                        % {
                            "low": plain_percent(low),
                            "high": plain_percent(high),
                            "value": plain_percent(data[field]),
                        }
                    ]
                else:
                    problems = [engine_problem_text(problem) for problem in problems]
                for problem in problems:
                    self.add_error(None if field == "__all__" else field, problem)
        return data

    def with_preset(self) -> dict:
        """The submitted values with the optimism bias of the chosen preset (upper bound) filled in."""
        data = self.data.copy()
        preset = OPTIMISM_BIAS_PRESETS.get(data.get("project_type", ""))
        if preset is not None:
            data["optimism_bias"] = plain_percent(preset.capex_upper, sign=False)
        return data


def plain_percent(fraction, *, sign: bool = True) -> str:
    """0.2 → '20 %' (sign=False: '20'), as the user would type it."""
    text = plain(Decimal(str(fraction)) * 100)
    return f"{text} %" if sign else text


class ChooseScenarioForm(forms.Form):
    scenario = forms.ChoiceField(choices=Scenario.choices)
