"""Filters of the asset list (also reused by the tender asset picker: keep names stable)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Asset, AssetCategory, Department


class AssetFilter(django_filters.FilterSet):
    """Filters an `asset_queryset_with_end_of_life()` queryset (needs the `end_of_life` annotation).

    Query parameters: q (text over external_ref/name/area), department (code), category (code),
    condition (1–5), end_of_life_min / end_of_life_max (years, inclusive), area (exact, any case), status.
    """

    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), to_field_name="code", label=_("Department"), empty_label=_("Any")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=AssetCategory.objects.all(), to_field_name="code", label=_("Category"), empty_label=_("Any")
    )
    condition = django_filters.ChoiceFilter(
        choices=[(i, f"{i}") for i in range(1, 6)],
        label=_("Condition (1 = very poor … 5 = new)"),
        empty_label=_("Any"),
    )
    end_of_life_min = django_filters.NumberFilter(
        field_name="end_of_life", lookup_expr="gte", label=_("End of life from (year)")
    )
    end_of_life_max = django_filters.NumberFilter(
        field_name="end_of_life", lookup_expr="lte", label=_("End of life to (year)")
    )
    area = django_filters.CharFilter(field_name="area", lookup_expr="iexact", label=_("Area"))
    status = django_filters.ChoiceFilter(
        choices=Asset.Status.choices, label=_("Status"), empty_label=_("Any")
    )

    class Meta:
        model = Asset
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kwargs):
        from .selectors import END_OF_LIFE

        # Any Asset queryset works: the end-of-life filters need the annotation, so add it when missing.
        if queryset is not None and "end_of_life" not in queryset.query.annotations:
            queryset = queryset.annotate(end_of_life=END_OF_LIFE)
        super().__init__(data, queryset, **kwargs)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(external_ref__icontains=value) | Q(name__icontains=value) | Q(area__icontains=value)
        )
