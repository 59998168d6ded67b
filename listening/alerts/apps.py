from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alert rules per brand, evaluated after each ingest batch and on a schedule."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "listening.alerts"
    label = "alerts"
    verbose_name = "Listening alerts"

    def ready(self) -> None:
        from listening.alerts import hooks, overview
        from socialhub import overview as brand_home

        hooks.connect()
        # The alerts card of the brand's home.
        brand_home.register(overview.brand_section)
