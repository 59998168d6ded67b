"""SocialHub project package and tenancy core."""

from socialhub.celery import app as celery_app

__all__ = ["celery_app"]
