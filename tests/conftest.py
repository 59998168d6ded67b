"""Shared fixtures. ``world``: two agencies × two brands, one user per role, an outsider."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.test import Client

from socialhub.celery import app as celery_app
from socialhub.models import Agency, Brand, User
from tests.factories import PASSWORD, AgencyFactory, BrandFactory, UserFactory, grant


@dataclass
class World:
    """Agency ``agency`` has ``brand`` (where each role user holds their role) and
    ``sibling`` (same agency, nobody but the admin holds it). ``foreign_agency`` has
    ``foreign_brand`` and ``foreign_sibling``, with their own admin and manager."""

    agency: Agency
    brand: Brand
    sibling: Brand
    foreign_agency: Agency
    foreign_brand: Brand
    foreign_sibling: Brand
    users: dict[str, User] = field(default_factory=dict)
    outsider: User | None = None
    foreign_admin: User | None = None
    foreign_manager: User | None = None
    password: str = PASSWORD

    def client_for(self, who: str | User) -> Client:
        """A test client signed in as a role's user (or any user)."""
        user = self.users[who] if isinstance(who, str) else who
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def world(db) -> World:
    admin = UserFactory(email="admin@alpha.test", first_name="Ada", last_name="Admin")
    agency = AgencyFactory(name="Alpha Agency", owner=admin)
    brand = BrandFactory(agency=agency, name="Acme Test", slug="acme-test")
    sibling = BrandFactory(agency=agency, name="Sibling Co", slug="sibling-co")

    foreign_admin = UserFactory(email="admin@beta.test")
    foreign_agency = AgencyFactory(name="Beta Agency", owner=foreign_admin)
    foreign_brand = BrandFactory(agency=foreign_agency, name="Foreign Co", slug="foreign-co")
    foreign_sibling = BrandFactory(agency=foreign_agency, name="Far Away", slug="far-away")
    foreign_manager = grant(UserFactory(email="manager@beta.test"), foreign_brand, "manager")

    users = {"admin": admin}
    for role in ("manager", "analyst", "client"):
        users[role] = grant(UserFactory(email=f"{role}@alpha.test"), brand, role)
    return World(
        agency=agency,
        brand=brand,
        sibling=sibling,
        foreign_agency=foreign_agency,
        foreign_brand=foreign_brand,
        foreign_sibling=foreign_sibling,
        users=users,
        outsider=UserFactory(email="outsider@nowhere.test"),
        foreign_admin=foreign_admin,
        foreign_manager=foreign_manager,
    )


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Tests never write into var/ and never wait for a broker: a per-test cache,
    captured email, tasks run in-process (tests/test_celery.py uses the real broker)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # login rate limits must not leak from one test into the next
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A fast hasher: the real one makes each test user cost ~0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads (the calendar's images)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the on-commit callbacks (emails are sent after the
    transaction commits) when the block ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
