"""Filters of the published tender list and the release feed. Malformed values → 400 with a message."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from outcomes.models import Outcome
from procurement.models import Release, Tender, TenderAsset, TenderOutcome

# Values are OCDS tender status codes (what the API takes); labels are for people (the public list's filter).
STATUS_CHOICES = [
    ("active", _("active")),
    ("complete", _("complete")),
    ("cancelled", _("cancelled")),
]
TENDER_STATUS_FOR_OCDS = {
    "active": [Tender.Status.PUBLISHED],
    # A signed contract (DESIGN §12) is still a complete tender in OCDS terms.
    "complete": [Tender.Status.AWARDED, Tender.Status.SIGNED],
    "cancelled": [Tender.Status.CANCELLED],
}


class DateOrDateTimeField(forms.CharField):
    """An ISO 8601 date (2027-01-31, midnight UTC) or date-time (2027-01-31T12:00:00Z)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
            if parsed is None:
                day = parse_date(value)
                if day is not None:
                    parsed = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(
                _("Enter an ISO 8601 date (2027-01-31) or date-time (2027-01-31T12:00:00Z)."), code="invalid"
            )
        try:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, datetime.UTC)
            # Normalise to UTC: PostgreSQL rejects odd offsets (e.g. +22:23) that ISO 8601 parsing accepts.
            return parsed.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("The date is out of range."), code="invalid") from None


class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


class PublishedTenderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES, method="filter_status")
    department = django_filters.CharFilter(
        label=_("Department"),
        method="filter_department",
        help_text=_("Department code or name, any case: the lead or a funding department."),
    )
    theme = django_filters.ChoiceFilter(
        label=_("Theme"), choices=Outcome.Theme.choices, method="filter_theme"
    )
    category = django_filters.CharFilter(
        label=_("Asset category (code)"), method="filter_category", help_text=_("Asset category code.")
    )
    published_since = DateOrDateTimeFilter(
        label=_("Published since"),
        field_name="published_at",
        lookup_expr="gte",
        help_text=_("ISO date or date-time."),
    )

    class Meta:
        model = Tender
        fields = ["status", "department", "theme", "category", "published_since"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=TENDER_STATUS_FOR_OCDS[value])

    def filter_department(self, queryset, name, value):
        from departments.models import Department
        from finance.models import Contribution

        # A person types a name ("street lighting"); a machine sends a code ("lighting"): both, any case.
        value = value.strip()
        departments = Department.objects.filter(Q(code__iexact=value) | Q(name__iexact=value))
        funding = Contribution.objects.filter(
            tender=OuterRef("pk"),
            budget_line__department__in=departments,
            status__in=[Contribution.Status.APPROVED, Contribution.Status.RELEASED],
        )
        return queryset.filter(Q(lead_department__in=departments) | Exists(funding))

    def filter_theme(self, queryset, name, value):
        return queryset.filter(
            Exists(TenderOutcome.objects.filter(tender=OuterRef("pk"), indicator__outcome__theme=value))
        )

    def filter_category(self, queryset, name, value):
        return queryset.filter(
            Exists(TenderAsset.objects.filter(tender=OuterRef("pk"), asset__category__code=value))
        )


class ReleaseFeedFilter(django_filters.FilterSet):
    since = DateOrDateTimeFilter(
        field_name="date", lookup_expr="gte", label=_("Since"), help_text=_("Releases dated at or after.")
    )
    tag = django_filters.ChoiceFilter(
        choices=[(t, t) for t in ("tender", "tenderAmendment", "tenderUpdate", "award")]
    )

    class Meta:
        model = Release
        fields = ["since", "tag"]
