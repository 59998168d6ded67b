from django.contrib import admin

from listening.inbox.models import InboxItem, InboxSettings, RoutingRule


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ["id", "brand", "status", "priority", "category", "assignee", "published_at"]
    list_filter = ["status", "category"]
    raw_id_fields = ["mention", "assignee", "replied_by", "routing_rule"]


admin.site.register(InboxSettings)
admin.site.register(RoutingRule)
