"""Inbox pages under /b/<brand_slug>/."""

from django.urls import path

from listening.inbox import views

app_name = "inbox"
urlpatterns = [
    path("inbox/", views.InboxItemListView.as_view(), name="item_list"),
    path("inbox/<int:pk>/", views.InboxItemDetailView.as_view(), name="item_detail"),
    path("inbox/settings/", views.InboxSettingsView.as_view(), name="settings"),
    path(
        "inbox/rules/<int:pk>/delete/",
        views.RoutingRuleDeleteView.as_view(),
        name="routingrule_delete",
    ),
]
