from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Listening's read side: the brand dashboard from rollups, emerging terms, reports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "listening.insights"
    label = "insights"
    verbose_name = "Listening insights"

    def ready(self) -> None:
        from listening.insights import overview, signals
        from socialhub import overview as brand_home

        signals.connect()
        # The listening card of the brand's home, and its figure on "Your brands".
        brand_home.register(overview.brand_section)
        brand_home.register_figures(overview.home_figures)
