"""Content calendar pages under /b/<brand_slug>/calendar/."""

from django.urls import path

from campaigns.calendar import views

app_name = "calendar"
urlpatterns = [
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/accounts/", views.SocialAccountListView.as_view(), name="socialaccount_list"),
    path(
        "calendar/accounts/new/",
        views.SocialAccountFormView.as_view(),
        name="socialaccount_create",
    ),
    path(
        "calendar/accounts/<int:pk>/",
        views.SocialAccountFormView.as_view(),
        name="socialaccount_update",
    ),
    path("calendar/posts/new/", views.PostFormView.as_view(), name="post_create"),
    path("calendar/posts/<int:pk>/", views.PostDetailView.as_view(), name="post_detail"),
    path("calendar/posts/<int:pk>/edit/", views.PostFormView.as_view(), name="post_update"),
    path("calendar/posts/<int:pk>/submit/", views.PostSubmitView.as_view(), name="post_submit"),
    path("calendar/posts/<int:pk>/decide/", views.PostDecisionView.as_view(), name="post_decide"),
    path(
        "calendar/posts/<int:pk>/schedule/",
        views.PostScheduleView.as_view(),
        name="post_schedule",
    ),
    path("calendar/posts/<int:pk>/move/", views.PostMoveView.as_view(), name="post_move"),
    path(
        "calendar/posts/<int:pk>/published/",
        views.PostMarkPublishedView.as_view(),
        name="post_mark_published",
    ),
    path("calendar/posts/<int:pk>/cancel/", views.PostCancelView.as_view(), name="post_cancel"),
    path("calendar/posts/<int:pk>/comment/", views.PostCommentView.as_view(), name="post_comment"),
    path(
        "calendar/approval-links/",
        views.ApprovalLinkListView.as_view(),
        name="approvallink_list",
    ),
    path(
        "calendar/approval-links/<int:pk>/revoke/",
        views.ApprovalLinkRevokeView.as_view(),
        name="approvallink_revoke",
    ),
    path("calendar/feed/", views.CalendarFeedView.as_view(), name="feed"),
    path("calendar/media/<int:pk>/", views.PostMediaView.as_view(), name="media"),
]
