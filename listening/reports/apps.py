from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Exports of the mention stream, the printable period report, the weekly digest."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "listening.reports"
    label = "reports"
    verbose_name = "Listening reports"
