"""Payments charged against approved contributions (DESIGN §13): what each department actually paid a partner.

Written only by `finance.services.payments.contributions_charge`, under row locks on the contributions, so that
a contribution is never paid beyond its approved amount. Append-only: a payment is a fact.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.append_only import append_only_triggers

MONEY = {"max_digits": 18, "decimal_places": 2}


class ContributionPayment(models.Model):
    contribution = models.ForeignKey(
        "finance.Contribution",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("contribution"),
    )
    amount = models.DecimalField(**MONEY, verbose_name=_("amount"))
    reference = models.CharField(
        max_length=100,
        help_text=_("What is paid, e.g. the payment certificate."),
        verbose_name=_("reference"),
    )
    payee = models.CharField(max_length=200, verbose_name=_("payee"))
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("charged by")
    )
    charged_at = models.DateTimeField(auto_now_add=True, verbose_name=_("charged at"))

    class Meta:
        verbose_name = _("contribution payment")
        verbose_name_plural = _("contribution payments")
        ordering = ["charged_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contributionpayment_amount_positive"),
        ]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.amount} on contribution {self.contribution_id} ({self.reference})"
