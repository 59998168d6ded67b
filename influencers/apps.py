from django.apps import AppConfig


class InfluencersConfig(AppConfig):
    """The influencer directory, relationships and collaborations."""

    name = "influencers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from influencers import hooks

        hooks.connect()
        hooks.extend_campaigns()
