"""Departments, who belongs to them, and the assets they own."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.append_only import append_only_triggers
from config.tabular import DECIMAL_CHOICES, DECIMAL_POINT
from config.uploads import RandomUploadName

MONEY = {"max_digits": 18, "decimal_places": 2}


class Department(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", "Service department"
        CENTRAL_FINANCE = "central_finance", "Central finance office"

    code = models.SlugField(max_length=32, unique=True, help_text="Short stable code, e.g. 'transport'.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.SERVICE)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_central_finance(self) -> bool:
        return self.kind == self.Kind.CENTRAL_FINANCE


class Membership(models.Model):
    """A user's role in one department. A user may belong to several departments."""

    class Role(models.TextChoices):
        OFFICIAL = "official", "Official"
        FINANCE = "finance", "Finance"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["department__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_one_role_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.department}"


class AssetCategory(models.Model):
    """A kind of asset, with the upgrade catalogue the financing engine uses (start-year prices)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=32, default="unit", help_text="Counting unit, e.g. 'shelter', 'lamp'.")
    upgrade_name = models.CharField(
        max_length=200, blank=True, help_text="e.g. 'LED luminaire with dimming'."
    )
    upgrade_unit_cost = models.DecimalField(**MONEY, default=0, help_text="Cost of one upgraded unit.")
    upgrade_life_years = models.PositiveSmallIntegerField(default=20, help_text="Expected life, years.")
    upgrade_maintenance_cost = models.DecimalField(**MONEY, default=0, help_text="Per unit per year.")
    upgrade_energy_cost = models.DecimalField(**MONEY, default=0, help_text="Per unit per year.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "asset categories"
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
        IN_SERVICE = "in_service", "In service"
        RETIRED = "retired", "Retired"

    # No single-column indexes on the two foreign keys: the unique (department, external_ref) and the
    # (category, status) indexes start with them and serve the same lookups; every index costs bulk imports.
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assets", db_index=False
    )
    category = models.ForeignKey(
        AssetCategory, on_delete=models.PROTECT, related_name="assets", db_index=False
    )
    external_ref = models.CharField(max_length=64, help_text="The department's own reference, unique in it.")
    name = models.CharField(max_length=200, blank=True)
    # Not indexed: the asset filters match areas case-insensitively, which a plain b-tree cannot serve.
    area = models.CharField(max_length=100, blank=True, help_text="e.g. 'Centre', 'Route 12'.")
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Degrees, −90 to 90 (WGS 84).",
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Degrees, −180 to 180 (WGS 84).",
    )
    install_year = models.PositiveSmallIntegerField()
    life_years = models.PositiveSmallIntegerField(
        help_text="Expected life, years.", validators=[MinValueValidator(1)]
    )
    replacement_cost = models.DecimalField(
        **MONEY, help_text="Like-for-like replacement, per unit.", validators=[MinValueValidator(0)]
    )
    maintenance_cost = models.DecimalField(**MONEY, help_text="Per year.", validators=[MinValueValidator(0)])
    energy_cost = models.DecimalField(**MONEY, help_text="Per year.", validators=[MinValueValidator(0)])
    condition = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 = very poor … 5 = new.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_SERVICE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["department__name", "external_ref"]
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
                violation_error_message="Latitude lies between −90 and 90, longitude between −180 and 180.",
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
                    "install_year": f"Install year {self.install_year} is in the future (this year is {this_year})."
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

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64)
    entity = models.CharField(max_length=64)
    entity_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id"])]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.entity}:{self.entity_id}"


class AssetImport(models.Model):
    """A bulk import of assets from CSV/XLSX: a background job with progress and a result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    # Stored under a random name (config/uploads.py); `original_name` is what the uploader called it.
    file = models.FileField(upload_to=RandomUploadName("imports/assets"))
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0–100 %.")
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, message}, …]")
    error_count = models.PositiveIntegerField(
        default=0, help_text="All problems found; `errors` keeps the first few thousand."
    )
    error_message = models.TextField(blank=True)
    decimal_separator = models.CharField(
        max_length=1,
        choices=DECIMAL_CHOICES,
        default=DECIMAL_POINT,
        help_text="The file's decimal separator, chosen by the uploader (the job reads the file later).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the run that finished began.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.original_name}, {self.status})"

    @property
    def duration(self) -> datetime.timedelta | None:
        """How long the (last) run took, from its real start to its end."""
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


# The opportunity finder's models live in their own package but belong to this app (one migrations folder).
from departments.finder.models import FinderCandidate, FinderRun  # noqa: E402, F401
