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
        max_length=32,
        unique=True,
        help_text=_("Readable reference, e.g. T-2027-0001."),
        verbose_name=_("reference"),
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    # Title and description in the city's other languages (CITY_LANGUAGES): {"fr": {"title": …}, "nl": {…}};
    # the base fields are the main language. Shape checked by multilingual.translations.clean_translations.
    translations = models.JSONField(default=dict, blank=True, verbose_name=_("translations"))
    lead_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="led_tenders",
        verbose_name=_("lead department"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True, verbose_name=_("status")
    )
    procurement_method = models.CharField(
        max_length=16, choices=Method.choices, default=Method.OPEN, verbose_name=_("procurement method")
    )
    main_category = models.CharField(
        max_length=16, choices=Category.choices, default=Category.SERVICES, verbose_name=_("main category")
    )
    contract_term_years = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Contract term, 1–30 years."),
        verbose_name=_("contract term years"),
    )
    tender_period_start = models.DateField(null=True, blank=True, verbose_name=_("tender period start"))
    tender_period_end = models.DateField(null=True, blank=True, verbose_name=_("tender period end"))
    currency = models.CharField(
        max_length=3,
        default="EUR",
        help_text=_("ISO 4217 code."),
        validators=[validate_currency],
        verbose_name=_("currency"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    published_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("published at"))
    # Award (the `award` OCDS release).
    award_supplier_name = models.CharField(max_length=200, blank=True, verbose_name=_("award supplier name"))
    award_value = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("award value"))
    award_date = models.DateField(null=True, blank=True, verbose_name=_("award date"))

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
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

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="bundled_assets", verbose_name=_("tender")
    )
    asset = models.ForeignKey(
        "departments.Asset", on_delete=models.PROTECT, related_name="tender_links", verbose_name=_("asset")
    )
    action = models.CharField(
        max_length=16, choices=Action.choices, default=Action.UPGRADE, verbose_name=_("action")
    )
    # Denormalised from the tender's status (False once cancelled) so that the database itself guarantees
    # that an asset is in at most one active tender, even under concurrent drafts.
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("tender asset")
        verbose_name_plural = _("tender assets")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "asset"], name="tenderasset_once_per_tender"),
            models.UniqueConstraint(
                fields=["asset"], condition=Q(active=True), name="tenderasset_one_active_tender"
            ),
        ]


class BundleRevision(models.Model):
    """The revision of a tender's bundle as the tender page shows it, written by PostgreSQL's triggers only
    (migration 0010): every statement that changes the tender's bundle rows, one of its bundled assets, or a
    department's or asset category's row moves it. The page caches its read of the bundle under it
    (selectors/bundle.py). On SQLite there are no triggers and the page computes its version from the bundle.

    The value is a time in microseconds (or the previous value + 1 if larger), so that it never goes back, not
    even after the database is restored from a backup while the cache keeps what it had. No foreign key: the
    rows of a tender being deleted are removed before the tender, and the trigger would write its row again
    in between; a row left behind by a deleted tender is never read."""

    tender_id = models.BigIntegerField(primary_key=True, verbose_name=_("tender"))
    revision = models.BigIntegerField(verbose_name=_("revision"))

    class Meta:
        verbose_name = _("bundle revision")
        verbose_name_plural = _("bundle revisions")


class TenderOutcome(models.Model):
    """An indicator the contract targets, and its weight in the outcome-linked payment (percent)."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="targeted_outcomes", verbose_name=_("tender")
    )
    indicator = models.ForeignKey(
        "outcomes.Indicator",
        on_delete=models.PROTECT,
        related_name="tender_targets",
        verbose_name=_("indicator"),
    )
    target_value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("target value"))
    payment_weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Percent of the outcome-linked payment."),
        verbose_name=_("payment weight"),
    )

    class Meta:
        verbose_name = _("tender outcome")
        verbose_name_plural = _("tender outcomes")
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

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="documents", verbose_name=_("tender")
    )
    kind = models.CharField(max_length=32, choices=Kind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    # Stored under a random name (config/uploads.py); the uploader's name is kept for display and download.
    file = models.FileField(upload_to=RandomUploadName("tenders/documents"), verbose_name=_("file"))
    original_name = models.CharField(max_length=255, blank=True, verbose_name=_("original name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size_bytes = models.PositiveIntegerField(verbose_name=_("size bytes"))
    sha256 = models.CharField(max_length=64, verbose_name=_("sha256"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))

    class Meta:
        verbose_name = _("tender document")
        verbose_name_plural = _("tender documents")
        ordering = ["kind", "title"]


class TenderEvent(models.Model):
    """Append-only history of a tender: transitions (from → to) and other recorded actions.

    PostgreSQL refuses UPDATE, DELETE and TRUNCATE on this table (config/append_only.py). Its foreign keys
    are PROTECT: a tender with history is never deleted, and a user who acted is deactivated, not deleted.
    """

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="events", verbose_name=_("tender")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(max_length=32, verbose_name=_("action"))
    from_status = models.CharField(max_length=16, blank=True, verbose_name=_("from status"))
    to_status = models.CharField(max_length=16, blank=True, verbose_name=_("to status"))
    comment = models.TextField(blank=True, verbose_name=_("comment"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("tender event")
        verbose_name_plural = _("tender events")
        ordering = ["created_at", "id"]
        triggers = append_only_triggers()


class TenderComment(models.Model):
    """A remark by an official of a participating department on a tender being drafted."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="comments", verbose_name=_("tender")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(verbose_name=_("body"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("tender comment")
        verbose_name_plural = _("tender comments")
        ordering = ["created_at", "id"]


class DepartmentSignOff(models.Model):
    """A participating department's consent to what the tender takes from it: its bundled assets (and what is done
    to them) and its budget contributions, as they were when its official signed.

    One row per tender and department, the current sign-off: signing again replaces it, withdrawing deletes it,
    and each request, signature and withdrawal writes a TenderEvent (the append-only history). A sign-off is
    stale when the department's bundle today hashes differently from `snapshot_hash`
    (procurement.selectors.signoffs): computed on reading, so no change anywhere has to remember to expire it.
    """

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("tender")
    )
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="tender_sign_offs",
        verbose_name=_("department"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(verbose_name=_("signed at"))
    snapshot = models.JSONField(
        help_text=_(
            "What was signed: bundled asset ids with their action, contributions per budget line (EUR)."
        ),
        verbose_name=_("snapshot"),
    )
    snapshot_hash = models.CharField(
        max_length=64,
        help_text=_("sha256 of the canonical JSON of `snapshot`."),
        verbose_name=_("snapshot hash"),
    )

    class Meta:
        verbose_name = _("department sign off")
        verbose_name_plural = _("department sign offs")
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

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="releases", verbose_name=_("tender")
    )
    ocid = models.CharField(max_length=100, db_index=True, verbose_name=_("ocid"))
    release_id = models.CharField(max_length=150, unique=True, verbose_name=_("release id"))
    tag = models.CharField(
        max_length=32,
        help_text=_("OCDS release tag: tender, tenderAmendment, tenderUpdate, award."),
        verbose_name=_("tag"),
    )
    date = models.DateTimeField(db_index=True, verbose_name=_("date"))
    data = models.JSONField(verbose_name=_("data"))
    content_hash = models.CharField(
        max_length=64, help_text=_("sha256 of the canonical JSON; the ETag."), verbose_name=_("content hash")
    )

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
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

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    identifier = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("e.g. company registration number."),
        verbose_name=_("identifier"),
    )
    contact_email = models.EmailField(blank=True, verbose_name=_("contact email"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A partner's API token. Only a hash is stored; the clear key is shown once, at creation."""

    class Scope(models.TextChoices):
        READ = "read", _("Read published tenders")
        # `propose` includes `read`: a machine that submits proposals must read the tender it answers.
        PROPOSE = "propose", _("Read, and submit proposals")

    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("organisation")
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    scope = models.CharField(
        max_length=16, choices=Scope.choices, default=Scope.READ, verbose_name=_("scope")
    )
    prefix = models.CharField(
        max_length=12,
        unique=True,
        help_text=_("First characters of the key, for lookup."),
        verbose_name=_("prefix"),
    )
    key_hash = models.CharField(
        max_length=64, unique=True, help_text=_("sha256 of the key."), verbose_name=_("key hash")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))

    class Meta:
        verbose_name = _("api token")
        verbose_name_plural = _("api tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name} ({self.prefix}…)"


class ClarificationQuestion(models.Model):
    """A partner's question on a published tender; the answer is published to everyone."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="questions", verbose_name=_("tender")
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("organisation"),
    )
    question = models.TextField(verbose_name=_("question"))
    asked_at = models.DateTimeField(auto_now_add=True, verbose_name=_("asked at"))
    answer = models.TextField(blank=True, verbose_name=_("answer"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))

    class Meta:
        verbose_name = _("clarification question")
        verbose_name_plural = _("clarification questions")
        ordering = ["asked_at", "id"]


# Proposals, evaluation and award (DESIGN §12) live in their own package but belong to this app.
# Contracts that pay on outcomes (DESIGN §13), in their own package, also of this app.
from procurement.contracts.models import *  # noqa: E402, F403
from procurement.proposals.models import *  # noqa: E402, F403
