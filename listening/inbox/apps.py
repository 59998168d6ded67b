from django.apps import AppConfig


class InboxConfig(AppConfig):
    """Monitoring: every mention of a monitored query as an inbox item to triage and answer."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "listening.inbox"
    label = "inbox"
    verbose_name = "Monitoring inbox"
