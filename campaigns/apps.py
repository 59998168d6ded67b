from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    """Campaigns, goals and KPIs, the content calendar and reviews."""

    name = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from campaigns import overview
        from campaigns.calendar import hooks
        from socialhub import overview as brand_home

        # The calendar links published posts to new listening mentions (and registers
        # its publishing tasks).
        hooks.connect()
        # The campaigns and calendar cards of the brand's home, in that order.
        brand_home.register(overview.campaign_section)
        brand_home.register(overview.calendar_section)
