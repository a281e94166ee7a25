"""Admin of tenders (inspection; state changes go through the lifecycle service, not the admin)."""

from django.contrib import admin

from .models import DepartmentSignOff, Tender, TenderAsset, TenderDocument, TenderEvent, TenderOutcome
from .publication import admin as publication_admin  # noqa: F401  (registers partner, token, release admin)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class TenderOutcomeInline(ReadOnlyInline):
    model = TenderOutcome
    fields = ["indicator", "target_value", "payment_weight"]


class TenderDocumentInline(ReadOnlyInline):
    model = TenderDocument
    fields = ["kind", "title", "content_type", "size_bytes", "uploaded_by", "uploaded_at"]


class DepartmentSignOffInline(ReadOnlyInline):
    model = DepartmentSignOff
    fields = ["department", "signed_by", "signed_at", "snapshot_hash"]


class TenderEventInline(ReadOnlyInline):
    model = TenderEvent
    fields = ["created_at", "actor", "action", "from_status", "to_status", "comment"]


@admin.register(Tender)
class TenderAdmin(admin.ModelAdmin):
    """Read-only: the lifecycle's guards (four-eyes, funding, publication) live in the services only."""

    list_display = ["reference", "title", "lead_department", "status", "created_at", "published_at"]
    list_filter = ["status", "lead_department", "procurement_method", "main_category"]
    search_fields = ["reference", "title"]
    list_select_related = ["lead_department"]
    inlines = [TenderOutcomeInline, TenderDocumentInline, DepartmentSignOffInline, TenderEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(TenderAsset)
class TenderAssetAdmin(admin.ModelAdmin):
    list_display = ["tender", "asset", "action", "active"]
    list_filter = ["action", "active"]
    search_fields = ["tender__reference", "asset__external_ref"]
    list_select_related = ["tender", "asset"]
    raw_id_fields = ["tender", "asset"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
