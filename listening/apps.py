from django.apps import AppConfig


class ListeningConfig(AppConfig):
    """Sources, queries, mentions, NLP and the ingest pipeline."""

    name = "listening"
    default_auto_field = "django.db.models.BigAutoField"
