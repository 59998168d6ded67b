"""The Django admin for platform staff: every model, with list displays, filters, search."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from rest_framework.authtoken.admin import TokenAdmin

from socialhub.models import (
    Agency,
    AgencyMembership,
    AuditEvent,
    Brand,
    BrandMembership,
    Invitation,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


class AgencyMembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 0
    autocomplete_fields = ["user"]


class BrandInline(admin.TabularInline):
    model = Brand
    extra = 0
    fields = ["name", "slug", "timezone", "archived_at"]
    show_change_link = True


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "require_mfa", "created_at"]
    list_filter = ["require_mfa"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BrandInline, AgencyMembershipInline]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "is_admin", "created_at"]
    list_filter = ["is_admin", "agency"]
    search_fields = ["user__email", "agency__name"]
    autocomplete_fields = ["user", "agency"]


class BrandMembershipInline(admin.TabularInline):
    model = BrandMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "agency", "timezone", "archived_at", "created_at"]
    list_filter = ["agency", "timezone", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "agency__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BrandMembershipInline]


@admin.register(BrandMembership)
class BrandMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "brand", "role", "created_at"]
    list_filter = ["role", "brand__agency", "brand"]
    search_fields = ["user__email", "brand__name"]
    autocomplete_fields = ["user", "brand"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "agency",
        "is_admin",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
    ]
    list_filter = ["agency", "is_admin"]
    search_fields = ["email", "agency__name"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "agency", "brand", "actor", "action", "target_email"]
    list_filter = ["action", "agency"]
    search_fields = ["target_email", "actor__email", "brand__name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# DRF's token admin searches by username, which our email-only User does not have.
TokenAdmin.search_fields = ("user__email",)
TokenAdmin.list_filter = ("created",)
