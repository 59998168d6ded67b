"""Alerts pages under /b/<brand_slug>/."""

from django.urls import path

from listening.alerts import views

app_name = "alerts"
urlpatterns = [
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("alerts/read/", views.AlertMarkAllReadView.as_view(), name="alert_mark_all_read"),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert_detail"),
    path(
        "alerts/<int:pk>/acknowledge/",
        views.AlertAcknowledgeView.as_view(),
        name="alert_acknowledge",
    ),
    path("alerts/rules/", views.AlertRuleListView.as_view(), name="alertrule_list"),
    path("alerts/rules/new/", views.AlertRuleFormView.as_view(), name="alertrule_create"),
    path("alerts/rules/<int:pk>/", views.AlertRuleFormView.as_view(), name="alertrule_update"),
    path(
        "alerts/rules/<int:pk>/delete/",
        views.AlertRuleDeleteView.as_view(),
        name="alertrule_delete",
    ),
]
