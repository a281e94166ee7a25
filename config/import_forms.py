"""The decimal separator field every import form offers (the rule itself is in config/tabular.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.tabular import DECIMAL_CHOICES, DECIMAL_POINT


class DecimalSeparatorField(forms.ChoiceField):
    """Point (the default, also when the field is not sent) or comma: how the file writes decimals."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Decimal separator in the file"))
        kwargs.setdefault(
            "help_text",
            _(
                "Numbers are read with this decimal separator only. The other mark may group thousands (in "
                "groups of three); a number that could be read either way, like 1,250, is refused rather than "
                "guessed."
            ),
        )
        super().__init__(
            choices=DECIMAL_CHOICES, initial=DECIMAL_POINT, required=False, widget=forms.RadioSelect, **kwargs
        )

    def clean(self, value):
        return super().clean(value) or DECIMAL_POINT
