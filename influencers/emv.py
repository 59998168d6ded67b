"""The earned-media value (EMV) rate card of influencer collaborations.

EMV prices what a collaboration's posts earned as if the brand had bought it: for each
matched post, ``engagement × rate per engagement + reach / 1000 × rate per 1000 reach``,
with the rates of the post's platform (or ``default``), in the collaboration's currency.
The card is ``settings.SOCIALHUB_EMV_RATES`` (see docs/influencers.md): agencies set
their own from their market's ad prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings

FALLBACK = {"engagement": "0.10", "reach_cpm": "5.00"}


@dataclass(frozen=True)
class Rate:
    platform: str
    engagement: Decimal
    reach_cpm: Decimal


def _decimal(value, default: str) -> Decimal:
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(default)
    return out if out >= 0 else Decimal(default)


def rate_card() -> dict[str, Rate]:
    """The configured rates per platform, with a ``default`` row always present."""
    card = dict(getattr(settings, "SOCIALHUB_EMV_RATES", {}) or {})
    card.setdefault("default", FALLBACK)
    default = card["default"]
    out = {}
    for platform, row in card.items():
        row = row if isinstance(row, dict) else {}
        out[platform] = Rate(
            platform=platform,
            engagement=_decimal(
                row.get("engagement", default.get("engagement")), FALLBACK["engagement"]
            ),
            reach_cpm=_decimal(
                row.get("reach_cpm", default.get("reach_cpm")), FALLBACK["reach_cpm"]
            ),
        )
    return out


def rate_for(platform: str, card: dict[str, Rate] | None = None) -> Rate:
    card = card or rate_card()
    return card.get(platform) or card["default"]


def value(
    platform: str, *, engagement: int, reach: int, card: dict[str, Rate] | None = None
) -> Decimal:
    """The EMV of one post, rounded to cents."""
    rate = rate_for(platform, card)
    total = rate.engagement * engagement + rate.reach_cpm * Decimal(reach) / 1000
    return total.quantize(Decimal("0.01"))
