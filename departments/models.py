"""Departments, who belongs to them, and the assets they own."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.append_only import append_only_triggers
from config.tabular import DECIMAL_CHOICES, DECIMAL_POINT
from config.uploads import RandomUploadName

MONEY = {"max_digits": 18, "decimal_places": 2}


class Department(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Service department")
        CENTRAL_FINANCE = "central_finance", _("Central finance office")

    code = models.SlugField(
        _("code"), max_length=32, unique=True, help_text=_("Short stable code, e.g. 'transport'.")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.SERVICE)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_central_finance(self) -> bool:
        return self.kind == self.Kind.CENTRAL_FINANCE


class Membership(models.Model):
    """A user's role in one department. A user may belong to several departments."""

    class Role(models.TextChoices):
        OFFICIAL = "official", _("Official")
        FINANCE = "finance", _("Finance")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["department__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_one_role_per_department")
        ]

    def __str__(self) -> str:
        # Translators: a membership in the admin, e.g. "tina — Official of Transport".
        return gettext("%(user)s — %(role)s of %(department)s") % {
            "user": self.user,
            "role": self.get_role_display(),
            "department": self.department,
        }


class AssetCategory(models.Model):
    """A kind of asset, with the upgrade catalogue the financing engine uses (start-year prices)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(
        _("unit"), max_length=32, default="unit", help_text=_("Counting unit, e.g. 'shelter', 'lamp'.")
    )
    upgrade_name = models.CharField(
        _("upgrade name"), max_length=200, blank=True, help_text=_("e.g. 'LED luminaire with dimming'.")
    )
    upgrade_unit_cost = models.DecimalField(
        _("upgrade unit cost"), **MONEY, default=0, help_text=_("Cost of one upgraded unit.")
    )
    upgrade_life_years = models.PositiveSmallIntegerField(
        _("upgrade life years"), default=20, help_text=_("Expected life, years.")
    )
    upgrade_maintenance_cost = models.DecimalField(
        _("upgrade maintenance cost"), **MONEY, default=0, help_text=_("Per unit per year.")
    )
    upgrade_energy_cost = models.DecimalField(
        _("upgrade energy cost"), **MONEY, default=0, help_text=_("Per unit per year.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("asset category")
        verbose_name_plural = _("asset categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(upgrade_unit_cost__gte=0)
                & Q(upgrade_maintenance_cost__gte=0)
                & Q(upgrade_energy_cost__gte=0),
                name="assetcategory_money_not_negative",
            ),
            models.CheckConstraint(condition=Q(upgrade_life_years__gt=0), name="assetcategory_life_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Asset(models.Model):
    """One physical asset of a department. Money is per unit at start-year prices."""

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", _("In service")
        RETIRED = "retired", _("Retired")

    # No single-column indexes on the two foreign keys: the unique (department, external_ref) and the
    # (category, status) indexes start with them and serve the same lookups; every index costs bulk imports.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="assets",
        db_index=False,
        verbose_name=_("department"),
    )
    category = models.ForeignKey(
        AssetCategory,
        on_delete=models.PROTECT,
        related_name="assets",
        db_index=False,
        verbose_name=_("category"),
    )
    external_ref = models.CharField(
        _("external ref"), max_length=64, help_text=_("The department's own reference, unique in it.")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Not indexed: the asset filters match areas case-insensitively, which a plain b-tree cannot serve.
    area = models.CharField(_("area"), max_length=100, blank=True, help_text=_("e.g. 'Centre', 'Route 12'."))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Degrees, −90 to 90 (WGS 84)."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Degrees, −180 to 180 (WGS 84)."),
    )
    install_year = models.PositiveSmallIntegerField(_("install year"))
    life_years = models.PositiveSmallIntegerField(
        _("life years"), help_text=_("Expected life, years."), validators=[MinValueValidator(1)]
    )
    replacement_cost = models.DecimalField(
        _("replacement cost"),
        **MONEY,
        help_text=_("Like-for-like replacement, per unit."),
        validators=[MinValueValidator(0)],
    )
    maintenance_cost = models.DecimalField(
        _("maintenance cost"), **MONEY, help_text=_("Per year."), validators=[MinValueValidator(0)]
    )
    energy_cost = models.DecimalField(
        _("energy cost"), **MONEY, help_text=_("Per year."), validators=[MinValueValidator(0)]
    )
    condition = models.PositiveSmallIntegerField(
        _("condition"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 = very poor … 5 = new."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_SERVICE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["department__name", "external_ref"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "external_ref"], name="asset_ref_unique_in_department"
            ),
            models.CheckConstraint(
                condition=Q(replacement_cost__gte=0) & Q(maintenance_cost__gte=0) & Q(energy_cost__gte=0),
                name="asset_money_not_negative",
            ),
            models.CheckConstraint(condition=Q(life_years__gt=0), name="asset_life_positive"),
            models.CheckConstraint(
                condition=Q(condition__gte=1, condition__lte=5), name="asset_condition_1_to_5"
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90))
                & (Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
                name="asset_coordinates_on_earth",
                violation_error_message=_(
                    "Latitude lies between −90 and 90, longitude between −180 and 180."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["department", "category"]),
            models.Index(fields=["category", "status"]),
            models.Index(F("install_year") + F("life_years"), name="asset_end_of_life_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.external_ref} {self.name}".strip()

    def clean(self) -> None:
        # Not a database constraint: "this year" moves, a CHECK constraint cannot.
        this_year = timezone.localdate().year
        if self.install_year is not None and self.install_year > this_year:
            raise ValidationError(
                {
                    "install_year": gettext(
                        "Install year %(year)s is in the future (this year is %(this_year)s)."
                    )
                    % {"year": self.install_year, "this_year": this_year}
                }
            )

    @property
    def end_of_life_year(self) -> int:
        """Derived, never stored: install year + expected life."""
        return self.install_year + self.life_years


class AuditEvent(models.Model):
    """Append-only record of a change to departments, assets or imports (who, when, what).

    PostgreSQL refuses UPDATE, DELETE and TRUNCATE on this table (config/append_only.py). A user who acted
    is never deleted (PROTECT: deactivate the account instead): deleting would erase who did it.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64)
    entity = models.CharField(_("entity"), max_length=64)
    entity_id = models.CharField(_("entity id"), max_length=64)
    # English, as written (stored_text.py translates the known sentences when they are shown).
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["entity", "entity_id"])]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.entity}:{self.entity_id}"


class AssetImport(models.Model):
    """A bulk import of assets from CSV/XLSX: a background job with progress and a result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name=_("uploaded by")
    )
    # Stored under a random name (config/uploads.py); `original_name` is what the uploader called it.
    file = models.FileField(_("file"), upload_to=RandomUploadName("imports/assets"))
    original_name = models.CharField(_("original name"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("total rows"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0, help_text=_("0–100 %."))
    created_count = models.PositiveIntegerField(_("created count"), default=0)
    updated_count = models.PositiveIntegerField(_("updated count"), default=0)
    # Cell messages and `error_message` are written in the uploader's language (only they see an import).
    errors = models.JSONField(_("errors"), default=list, blank=True, help_text="[{row, column, message}, …]")
    error_count = models.PositiveIntegerField(
        _("error count"), default=0, help_text=_("All problems found; `errors` keeps the first few thousand.")
    )
    error_message = models.TextField(_("error message"), blank=True)
    decimal_separator = models.CharField(
        _("decimal separator"),
        max_length=1,
        choices=DECIMAL_CHOICES,
        default=DECIMAL_POINT,
        help_text=_("The file's decimal separator, chosen by the uploader (the job reads the file later)."),
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("The uploader's language when the file was uploaded: the job writes its messages in it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(
        _("started at"), null=True, blank=True, help_text=_("When the run that finished began.")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("asset import")
        verbose_name_plural = _("asset imports")

    def __str__(self) -> str:
        return gettext("Import %(number)s (%(name)s, %(status)s)") % {
            "number": self.pk,
            "name": self.original_name,
            "status": self.get_status_display(),
        }

    @property
    def unchanged_count(self) -> int:
        """Rows of a succeeded import that matched an asset already holding the same values (left as they were)."""
        if self.status != self.Status.SUCCEEDED:
            return 0
        return max(self.total_rows - self.created_count - self.updated_count, 0)

    @property
    def duration(self) -> datetime.timedelta | None:
        """How long the (last) run took, from its real start to its end."""
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


# The opportunity finder's models live in their own package but belong to this app (one migrations folder).
from departments.finder.models import FinderCandidate, FinderRun  # noqa: E402, F401
