from django.apps import AppConfig


class SocialHubConfig(AppConfig):
    """The tenancy core: agencies, brands, roles, access."""

    name = "socialhub"
    verbose_name = "SocialHub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from socialhub import signals  # noqa: F401  (connects receivers)
