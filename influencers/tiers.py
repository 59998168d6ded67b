"""Influencer tiers, from the largest follower count of their profiles.

| tier  | followers          |
| ----- | ------------------ |
| nano  | fewer than 10,000  |
| micro | 10,000 – 49,999    |
| mid   | 50,000 – 499,999   |
| macro | 500,000 – 999,999  |
| mega  | 1,000,000 or more  |

Follower count is only how far a voice carries; whether it moves anyone is what the
listening figures (engagement, sentiment) on the profile say.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Tier(models.TextChoices):
    NANO = "nano", "Nano (< 10k)"
    MICRO = "micro", "Micro (10k–50k)"
    MID = "mid", "Mid (50k–500k)"
    MACRO = "macro", "Macro (500k–1M)"
    MEGA = "mega", "Mega (≥ 1M)"


# (tier, lowest follower count of the tier), from the top.
BOUNDS: tuple[tuple[Tier, int], ...] = (
    (Tier.MEGA, 1_000_000),
    (Tier.MACRO, 500_000),
    (Tier.MID, 50_000),
    (Tier.MICRO, 10_000),
    (Tier.NANO, 0),
)


def tier_for(followers: int | None) -> Tier:
    """The tier of an influencer whose largest profile has ``followers`` followers."""
    count = followers or 0
    for tier, lowest in BOUNDS:
        if count >= lowest:
            return tier
    return Tier.NANO


def tier_filter(tier: str, field: str = "max_followers") -> Q:
    """A filter on ``field`` keeping the influencers of ``tier``."""
    bounds = dict(BOUNDS)
    lowest = bounds[Tier(tier)]
    higher = [low for t, low in BOUNDS if low > lowest]
    q = Q(**{f"{field}__gte": lowest})
    if higher:
        q &= Q(**{f"{field}__lt": min(higher)})
    return q
