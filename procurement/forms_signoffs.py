"""Forms of department sign-offs (shapes only; the services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SignOffForm(forms.Form):
    # The snapshot the official was shown: a bundle that changed since is not signed (services.signoffs).
    snapshot_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


class WithdrawSignOffForm(forms.Form):
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Why (optional)")
    )
