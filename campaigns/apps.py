from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    """Campaigns, goals and KPIs, the content calendar and reviews."""

    name = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"
