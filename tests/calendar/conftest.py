"""Calendar test helpers: channels and posts built through the services, and the
recorded publishing responses served to the HTTP client."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from campaigns.calendar import services
from campaigns.models import ContentPost, SocialAccount
from listening.http import HttpClient

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def recorded(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def recorded_json(name: str) -> dict:
    return json.loads(recorded(name))


def make_account(world, platform="x", handle=None, credentials=None, **fields) -> SocialAccount:
    brand = fields.get("brand", world.brand)
    return services.social_account_create(
        actor=world.users["manager"] if brand == world.brand else world.foreign_manager,
        brand=fields.pop("brand", world.brand),
        platform=platform,
        handle=handle or f"@acme-{platform}",
        credentials=credentials,
        **fields,
    )


def default_account(world) -> SocialAccount:
    """The brand's X account (made on first use)."""
    existing = SocialAccount.objects.filter(brand=world.brand, platform="x").first()
    return existing or make_account(world, "x")


def make_post(world, account=None, *, text="Hello from Acme", scheduled_at=None, **fields):
    return services.post_create(
        actor=world.users["analyst"],
        brand=fields.pop("brand", world.brand),
        account=account or default_account(world),
        text=text,
        scheduled_at=scheduled_at,
        **fields,
    )


def in_review(world, **kwargs) -> ContentPost:
    post = make_post(world, **kwargs)
    return services.post_submit(actor=world.users["analyst"], post=post)


def approved(world, **kwargs) -> ContentPost:
    post = in_review(world, **kwargs)
    return services.post_approve(actor=world.users["client"], post=post)


def soon() -> datetime:
    return datetime.now(UTC) + timedelta(days=2)


@pytest.fixture
def http(monkeypatch):
    """``http(handler)``: the publishing task's HTTP client answers with ``handler``; the
    requests it saw are kept in the returned list."""

    def install(handler):
        seen: list[httpx.Request] = []

        def recording(request):
            seen.append(request)
            return handler(request)

        from campaigns.calendar import tasks

        monkeypatch.setattr(
            tasks,
            "HttpClient",
            lambda: HttpClient(transport=httpx.MockTransport(recording), allowed_hosts=[]),
        )
        return seen

    return install
