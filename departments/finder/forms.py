"""The finder's parameter form. It only parses; the limits and the data checks are the service's (one wording),
and the view puts each of the service's messages next to the field it is about."""

from decimal import Decimal

from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from outcomes.models import Outcome

from .clustering import RADIUS_LIMITS_M, WINDOW_LIMITS_YEARS
from .valuation import SYNERGY_LIMITS


def _number(value: int) -> str:
    """A whole number with the active language's thousands separator (read when the form is shown)."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    return intcomma(value)


lazy_number = lazy(_number, str)

# Service error key -> form field.
FIELD_FOR = {"synergy": "synergy_percent"}


class FinderForm(forms.Form):
    radius_m = forms.IntegerField(
        label=_("Radius (metres)"),
        initial=150,
        help_text=format_lazy(
            _("Assets of different departments this close are linked ({low}–{high} m)."),
            low=lazy_number(RADIUS_LIMITS_M[0]),
            high=lazy_number(RADIUS_LIMITS_M[1]),
        ),
    )
    window_years = forms.IntegerField(
        label=_("End-of-life window (years)"),
        initial=3,
        help_text=format_lazy(
            _("A candidate's end-of-life years span at most this many years ({low}–{high})."),
            low=WINDOW_LIMITS_YEARS[0],
            high=WINDOW_LIMITS_YEARS[1],
        ),
    )
    outcome = forms.ModelChoiceField(
        label=_("Serving the outcome"),
        queryset=Outcome.objects.none(),
        required=False,
        empty_label=_("Any outcome (all categories)"),
        help_text=_("Only scan the asset categories the outcome's indicators are computed from."),
    )
    synergy_percent = forms.DecimalField(
        label=_("Synergy of shared works (%)"),
        initial=Decimal("10"),
        max_digits=5,
        decimal_places=1,
        help_text=format_lazy(
            _("Upgrade cost and maintenance saved by renewing together ({low}–{high})."),
            low=f"{SYNERGY_LIMITS[0]:.0%}",
            high=f"{SYNERGY_LIMITS[1]:.0%}",
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = Outcome.objects.exclude(status=Outcome.Status.RETIRED).order_by(
            "title"
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            field = None if key == "__all__" else FIELD_FOR.get(key, key)
            for message in messages:
                self.add_error(field, message)
