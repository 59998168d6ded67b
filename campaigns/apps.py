from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    """Campaigns, goals and KPIs, the content calendar and reviews."""

    name = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The calendar links published posts to new listening mentions (and registers
        # its publishing tasks).
        from campaigns.calendar import hooks

        hooks.connect()
