from django.contrib import admin

from . import admin_scenarios  # noqa: F401  (registers scenario assumptions and runs)
from .models import BudgetEvent, BudgetLine, Contribution, FundingOverride, TenderNeed


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["department", "fiscal_year", "budget_type", "name", "amount", "currency"]
    list_filter = ["fiscal_year", "budget_type", "department"]
    search_fields = ["name", "department__name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Contributions, needs, overrides and events change only through finance.services (rules + audit)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["tender", "budget_line", "amount", "status", "requested_by", "decided_by"]
    list_filter = ["status"]


@admin.register(BudgetEvent)
class BudgetEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "budget_line", "tender", "amount"]
    list_filter = ["action"]


@admin.register(TenderNeed)
class TenderNeedAdmin(ReadOnlyAdmin):
    list_display = ["tender", "fiscal_year", "budget_type", "amount"]


@admin.register(FundingOverride)
class FundingOverrideAdmin(ReadOnlyAdmin):
    list_display = ["tender", "decided_by", "created_at"]
