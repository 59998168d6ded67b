from django.apps import AppConfig

_registered = False


class InboxConfig(AppConfig):
    """Monitoring: every mention of a monitored query as an inbox item to triage and answer."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "listening.inbox"
    label = "inbox"
    verbose_name = "Monitoring inbox"

    def ready(self) -> None:
        global _registered
        from listening import pipeline
        from listening.inbox import overview, services
        from socialhub import overview as brand_home

        # New mentions become inbox items after each committed ingest batch; once,
        # however often ready() runs.
        if not _registered:
            pipeline.on_new_mentions(services.on_new_mentions)
            _registered = True
        # The inbox card of the brand's home, and its figure on "Your brands".
        brand_home.register(overview.brand_section)
        brand_home.register_figures(overview.home_figures)
