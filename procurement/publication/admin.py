"""Admin of partners, their API tokens, releases and questions.

A token's clear key is shown once, on the page the "create token" action returns; only its hash is stored.
Releases are read-only: published data is never edited.
"""

import datetime

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.models import (
    ApiToken,
    ClarificationQuestion,
    PartnerMembership,
    PartnerOrganisation,
    Release,
)
from procurement.publication.tokens import token_create, token_revoke

TOKEN_LIFETIME = datetime.timedelta(days=365)


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ["name", "prefix", "scope", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # tokens are created with the action, which shows the key once


class PartnerMembershipInline(admin.TabularInline):
    """People of the organisation who sign in to the partner portal (DESIGN §12)."""

    model = PartnerMembership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "identifier", "contact_email", "created_at"]
    search_fields = ["name", "identifier"]
    inlines = [ApiTokenInline, PartnerMembershipInline]
    actions = ["create_token", "create_propose_token"]

    @admin.action(
        description=gettext_lazy(
            "Create a new API token with the 'propose' scope (valid one year; shown once)"
        )
    )
    def create_propose_token(self, request, queryset):
        return self.create_token(request, queryset, scope=ApiToken.Scope.PROPOSE)

    @admin.action(description=gettext_lazy("Create a new API token (valid one year; the key is shown once)"))
    def create_token(self, request, queryset, scope=ApiToken.Scope.READ):
        created = []
        for organisation in queryset:
            token, key = token_create(
                organisation=organisation,
                name=f"created by {request.user.get_username()} on {timezone.now():%Y-%m-%d}",
                expires_at=timezone.now() + TOKEN_LIFETIME,
                actor=request.user,
                scope=scope,
            )
            created.append({"organisation": organisation, "token": token, "key": key})
        # Rendered straight into this response: the clear key is never stored, not even in a message.
        response = TemplateResponse(
            request,
            "admin/procurement/token_created.html",
            {**self.admin_site.each_context(request), "created": created, "title": _("New API tokens")},
        )
        response["Cache-Control"] = "no-store"
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["organisation", "scope"]
    readonly_fields = ["organisation", "prefix", "key_hash", "created_at", "revoked_at", "last_used_at"]
    fields = [
        "organisation",
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, actor=request.user)
        messages.success(request, _("Tokens revoked."))


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["release_id", "tag", "date", "tender", "content_hash"]
    list_filter = ["tag"]
    search_fields = ["release_id", "ocid", "tender__reference"]
    readonly_fields = ["tender", "ocid", "release_id", "tag", "date", "data", "content_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClarificationQuestion)
class ClarificationQuestionAdmin(admin.ModelAdmin):
    list_display = ["tender", "organisation", "asked_at", "answered_at"]
    list_filter = ["answered_at"]
    search_fields = ["question", "answer", "tender__reference"]
    readonly_fields = [
        "tender",
        "organisation",
        "question",
        "asked_at",
        "answer",
        "answered_by",
        "answered_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # officials answer in the browser (procurement:question-list), with the four-eyes rules
