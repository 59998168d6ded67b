"""A brand that has heard mentions (the insights fixture: Acme, the competitor Globex,
a product and a person query, posts in Jan 1–10 2026 and the ten days before) and a
campaign over Jan 1–10 2026 planned through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from campaigns import services
from campaigns.models import Campaign
from listening import pipeline
from tests.insights.conftest import END, START, Fixture, build

__all__ = ["END", "START"]


@dataclass
class Planned:
    fx: Fixture
    campaign: Campaign


@pytest.fixture(autouse=True)
def _fresh_matcher():
    pipeline.forget_compiled_queries()
    yield
    pipeline.forget_compiled_queries()


def plan(world, *, name="Winter launch", start=START, end=END, queries=None, **fields) -> Campaign:
    return services.campaign_create(
        actor=world.users["manager"],
        brand=world.brand,
        name=name,
        objective="launch",
        start_date=start,
        end_date=end,
        queries=queries,
        **fields,
    )


@pytest.fixture
def heard(world, committed) -> Planned:
    fx = build(world, committed)
    return Planned(fx, plan(world))


@pytest.fixture
def campaign(world) -> Campaign:
    return plan(world, start=date(2026, 1, 1), end=date(2026, 1, 31))
