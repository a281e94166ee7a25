"""Integrated tenders: what is bundled, which outcomes it is paid on, its lifecycle and its publication."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from config.append_only import append_only_triggers
from config.uploads import RandomUploadName

MONEY = {"max_digits": 18, "decimal_places": 2}


def validate_currency(value: str) -> None:
    """An ISO 4217 code in use (the OCDS codelist we ship): an unknown code would only fail at publication."""
    from procurement.publication.validation import currency_choices

    if value not in dict(currency_choices()):
        raise ValidationError(
            gettext("“%(value)s” is not an ISO 4217 currency code in use (e.g. EUR).") % {"value": value}
        )


class Tender(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        AWARDED = "awarded", _("Awarded")
        # After the standstill the contract is signed (DESIGN §4, §12); cancellation is possible until then.
        SIGNED = "signed", _("Contract signed")
        CANCELLED = "cancelled", _("Cancelled")

    class Method(models.TextChoices):
        # Values are OCDS `method` codes.
        OPEN = "open", pgettext_lazy("procurement method", "Open")
        SELECTIVE = "selective", pgettext_lazy("procurement method", "Selective")
        LIMITED = "limited", pgettext_lazy("procurement method", "Limited")
        DIRECT = "direct", pgettext_lazy("procurement method", "Direct")

    class Category(models.TextChoices):
        # Values are OCDS `procurementCategory` codes.
        GOODS = "goods", _("Goods")
        WORKS = "works", _("Works")
        SERVICES = "services", _("Services")

    reference = models.CharField(
        max_length=32, unique=True, help_text=_("Readable reference, e.g. T-2027-0001.")
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Title and description in the city's other languages (CITY_LANGUAGES): {"fr": {"title": …}, "nl": {…}};
    # the base fields are the main language. Shape checked by multilingual.translations.clean_translations.
    translations = models.JSONField(default=dict, blank=True)
    lead_department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="led_tenders"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    procurement_method = models.CharField(max_length=16, choices=Method.choices, default=Method.OPEN)
    main_category = models.CharField(max_length=16, choices=Category.choices, default=Category.SERVICES)
    contract_term_years = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Contract term, 1–30 years."),
    )
    tender_period_start = models.DateField(null=True, blank=True)
    tender_period_end = models.DateField(null=True, blank=True)
    currency = models.CharField(
        max_length=3, default="EUR", help_text=_("ISO 4217 code."), validators=[validate_currency]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Award (the `award` OCDS release).
    award_supplier_name = models.CharField(max_length=200, blank=True)
    award_value = models.DecimalField(**MONEY, null=True, blank=True)
    award_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_term_years__gte=1, contract_term_years__lte=30),
                name="tender_term_1_to_30",
            ),
            models.CheckConstraint(
                condition=Q(tender_period_start__isnull=True)
                | Q(tender_period_end__isnull=True)
                | Q(tender_period_end__gte=models.F("tender_period_start")),
                name="tender_period_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class TenderAsset(models.Model):
    """An asset bundled into a tender, with what the contract does to it."""

    class Action(models.TextChoices):
        REPLACE = "replace", _("Replace")
        UPGRADE = "upgrade", _("Upgrade")
        OPERATE = "operate", _("Operate")
        MAINTAIN = "maintain", _("Maintain")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bundled_assets")
    asset = models.ForeignKey("departments.Asset", on_delete=models.PROTECT, related_name="tender_links")
    action = models.CharField(max_length=16, choices=Action.choices, default=Action.UPGRADE)
    # Denormalised from the tender's status (False once cancelled) so that the database itself guarantees
    # that an asset is in at most one active tender, even under concurrent drafts.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "asset"], name="tenderasset_once_per_tender"),
            models.UniqueConstraint(
                fields=["asset"], condition=Q(active=True), name="tenderasset_one_active_tender"
            ),
        ]


class TenderOutcome(models.Model):
    """An indicator the contract targets, and its weight in the outcome-linked payment (percent)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="targeted_outcomes")
    indicator = models.ForeignKey(
        "outcomes.Indicator", on_delete=models.PROTECT, related_name="tender_targets"
    )
    target_value = models.DecimalField(max_digits=18, decimal_places=4)
    payment_weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Percent of the outcome-linked payment."),
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "indicator"], name="tenderoutcome_once_per_tender"),
            models.CheckConstraint(
                condition=Q(payment_weight__isnull=True) | Q(payment_weight__gte=0, payment_weight__lte=100),
                name="tenderoutcome_weight_0_100",
            ),
        ]

    def clean(self) -> None:
        # A tender target must be a possible value of its indicator (no −10 incidents, no 250 %).
        if self.indicator_id and self.target_value is not None:
            message = self.indicator.range_error(self.target_value, what=gettext("The target"))
            if message:
                raise ValidationError({"target_value": message})


class TenderDocument(models.Model):
    class Kind(models.TextChoices):
        SPECIFICATION = "specification", _("Specification")
        OUTCOME_SPECIFICATION = "outcome_specification", _("Outcome specification")
        OTHER = "other", _("Other")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    # Stored under a random name (config/uploads.py); the uploader's name is kept for display and download.
    file = models.FileField(upload_to=RandomUploadName("tenders/documents"))
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]


class TenderEvent(models.Model):
    """Append-only history of a tender: transitions (from → to) and other recorded actions.

    PostgreSQL refuses UPDATE, DELETE and TRUNCATE on this table (config/append_only.py). Its foreign keys
    are PROTECT: a tender with history is never deleted, and a user who acted is deactivated, not deleted.
    """

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        triggers = append_only_triggers()


class TenderComment(models.Model):
    """A remark by an official of a participating department on a tender being drafted."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class DepartmentSignOff(models.Model):
    """A participating department's consent to what the tender takes from it: its bundled assets (and what is done
    to them) and its budget contributions, as they were when its official signed.

    One row per tender and department, the current sign-off: signing again replaces it, withdrawing deletes it,
    and each request, signature and withdrawal writes a TenderEvent (the append-only history). A sign-off is
    stale when the department's bundle today hashes differently from `snapshot_hash`
    (procurement.selectors.signoffs): computed on reading, so no change anywhere has to remember to expire it.
    """

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="sign_offs")
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="tender_sign_offs"
    )
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    snapshot = models.JSONField(
        help_text=_(
            "What was signed: bundled asset ids with their action, contributions per budget line (EUR)."
        )
    )
    snapshot_hash = models.CharField(
        max_length=64, help_text=_("sha256 of the canonical JSON of `snapshot`.")
    )

    class Meta:
        ordering = ["tender", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "department"], name="signoff_once_per_department"),
        ]

    def __str__(self) -> str:
        return gettext("%(department)s signed off %(reference)s") % {
            "department": self.department,
            "reference": self.tender.reference,
        }


# --- Publication ---------------------------------------------------------------------------------------------


class Release(models.Model):
    """An immutable OCDS release, stored as JSON at publish time. Never edited: changes append a new one.

    `save()`/`delete()` refuse with a domain error; PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE on the
    table (config/append_only.py), so bulk queryset calls and raw SQL cannot change it either.
    """

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="releases")
    ocid = models.CharField(max_length=100, db_index=True)
    release_id = models.CharField(max_length=150, unique=True)
    tag = models.CharField(
        max_length=32, help_text=_("OCDS release tag: tender, tenderAmendment, tenderUpdate, award.")
    )
    date = models.DateTimeField(db_index=True)
    data = models.JSONField()
    content_hash = models.CharField(max_length=64, help_text=_("sha256 of the canonical JSON; the ETag."))

    class Meta:
        ordering = ["date", "id"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return self.release_id

    # Published data is append-only: a stored release is never edited or deleted (DESIGN §3).
    def save(self, *args, **kwargs):
        if not self._state.adding:
            from procurement.publication.exceptions import ReleaseImmutable

            raise ReleaseImmutable(f"release {self.release_id} is published and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from procurement.publication.exceptions import ReleaseImmutable

        raise ReleaseImmutable(f"release {self.release_id} is published and cannot be deleted")


class PartnerOrganisation(models.Model):
    """A supplier, operator or investor organisation that reads published tenders through the API."""

    name = models.CharField(max_length=200, unique=True)
    identifier = models.CharField(
        max_length=100, blank=True, help_text=_("e.g. company registration number.")
    )
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A partner's API token. Only a hash is stored; the clear key is shown once, at creation."""

    class Scope(models.TextChoices):
        READ = "read", _("Read published tenders")
        # `propose` includes `read`: a machine that submits proposals must read the tender it answers.
        PROPOSE = "propose", _("Read, and submit proposals")

    organisation = models.ForeignKey(PartnerOrganisation, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(
        max_length=12, unique=True, help_text=_("First characters of the key, for lookup.")
    )
    key_hash = models.CharField(max_length=64, unique=True, help_text=_("sha256 of the key."))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name} ({self.prefix}…)"


class ClarificationQuestion(models.Model):
    """A partner's question on a published tender; the answer is published to everyone."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="questions")
    organisation = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, related_name="questions")
    question = models.TextField()
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]


# Proposals, evaluation and award (DESIGN §12) live in their own package but belong to this app.
# Contracts that pay on outcomes (DESIGN §13), in their own package, also of this app.
from procurement.contracts.models import *  # noqa: E402, F403
from procurement.proposals.models import *  # noqa: E402, F403
