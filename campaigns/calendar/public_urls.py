"""The calendar's public pages, whose token is the credential: a client's approval page
and the brand's iCalendar feed."""

from django.urls import path

from campaigns.calendar import views

app_name = "calendar_public"
urlpatterns = [
    path("approve/<str:token>/", views.approval_page, name="approve"),
    path("approve/<str:token>/media/<int:pk>/", views.approval_media, name="approve_media"),
    path("calendar/<str:token>.ics", views.ics_feed, name="ics"),
]
