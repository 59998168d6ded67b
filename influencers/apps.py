from django.apps import AppConfig


class InfluencersConfig(AppConfig):
    """The influencer directory, relationships and collaborations."""

    name = "influencers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from influencers import hooks, overview
        from socialhub import overview as brand_home

        hooks.connect()
        hooks.extend_campaigns()
        # The influencers card of the brand's home.
        brand_home.register(overview.brand_section)
