from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Asset, AssetCategory, AssetImport, AuditEvent, Department, Membership
from .stored_text import audit_text


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "role"]
    list_filter = ["role", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["user", "department"]


@admin.register(AssetCategory)
class AssetCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "upgrade_unit_cost", "upgrade_life_years"]
    search_fields = ["code", "name"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["external_ref", "name", "department", "category", "install_year", "life_years", "status"]
    list_filter = ["department", "category", "status", "condition"]
    search_fields = ["external_ref", "name", "area"]
    list_select_related = ["department", "category"]


@admin.register(AssetImport)
class AssetImportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "original_name",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "created_at",
    ]
    # The stored file is shown as a link to the permission-checked download, never to a /media/ URL.
    exclude = ["file"]
    readonly_fields = [f.name for f in AssetImport._meta.fields if f.name != "file"] + ["uploaded_file"]

    @admin.display(description=_("file"))
    def uploaded_file(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("departments:asset-import-file", args=[obj.pk]), obj.original_name
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "entity", "entity_id", "what"]
    list_filter = ["entity", "action"]

    @admin.display(description=_("summary"))
    def what(self, obj):
        """The stored English summary, shown in the reader's language when it is a known sentence."""
        return audit_text(obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
