from django.contrib import admin

from .models import Indicator, Measurement, Outcome, OutcomeEvent


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["name", "unit", "direction", "baseline_value", "baseline_period", "target_value", "target_date"]
    show_change_link = True


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["title", "theme", "owner_department", "status"]
    list_filter = ["theme", "status", "owner_department"]
    search_fields = ["title", "description"]
    filter_horizontal = ["contributing_departments"]
    inlines = [IndicatorInline]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0
    fields = ["period", "value", "source", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "outcome", "unit", "direction", "baseline_value", "target_value", "is_retired"]
    list_filter = ["direction", "baseline_source", "is_retired"]
    search_fields = ["name", "outcome__title"]
    readonly_fields = ["baseline_source_note", "baseline_computed_at"]
    filter_horizontal = ["baseline_departments", "baseline_categories"]
    inlines = [MeasurementInline]


@admin.register(OutcomeEvent)
class OutcomeEventAdmin(admin.ModelAdmin):
    """History is append-only: readable here, never edited."""

    list_display = ["created_at", "outcome", "action", "actor", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "outcome__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
