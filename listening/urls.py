"""Listening pages under /b/<brand_slug>/."""

from django.urls import path

from listening import views

app_name = "listening"
urlpatterns = [
    path("sources/", views.SourceListView.as_view(), name="source_list"),
    path("sources/new/", views.SourceFormView.as_view(), name="source_create"),
    path("sources/<int:pk>/", views.SourceFormView.as_view(), name="source_update"),
    path("sources/<int:pk>/fetch/", views.SourceFetchView.as_view(), name="source_fetch"),
    path("import/", views.ImportJobListView.as_view(), name="importjob_list"),
    path("import/<int:pk>/", views.ImportJobDetailView.as_view(), name="importjob_detail"),
    path(
        "import/<int:pk>/mapping/", views.ImportJobMappingView.as_view(), name="importjob_mapping"
    ),
    path("import/<int:pk>/status/", views.ImportJobStatusView.as_view(), name="importjob_status"),
    path("queries/", views.QueryListView.as_view(), name="query_list"),
    path("queries/new/", views.QueryFormView.as_view(), name="query_create"),
    path("queries/<int:pk>/", views.QueryFormView.as_view(), name="query_update"),
    path("mentions/", views.MentionListView.as_view(), name="mention_list"),
    path(
        "mentions/<int:pk>/sentiment/",
        views.MentionSentimentView.as_view(),
        name="mention_sentiment",
    ),
    path("rules/", views.PhraseRuleListView.as_view(), name="phraserule_list"),
    path("rules/<int:pk>/delete/", views.PhraseRuleDeleteView.as_view(), name="phraserule_delete"),
]
