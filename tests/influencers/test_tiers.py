import pytest

from influencers import services
from influencers.models import Influencer
from influencers.tiers import Tier, tier_filter, tier_for


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (0, Tier.NANO),
        (None, Tier.NANO),
        (9_999, Tier.NANO),
        (10_000, Tier.MICRO),
        (49_999, Tier.MICRO),
        (50_000, Tier.MID),
        (499_999, Tier.MID),
        (500_000, Tier.MACRO),
        (999_999, Tier.MACRO),
        (1_000_000, Tier.MEGA),
        (80_000_000, Tier.MEGA),
    ],
)
def test_it_gives_the_tier_of_a_follower_count(followers, tier):
    assert tier_for(followers) == tier


def test_the_tier_comes_from_the_largest_profile(world):
    influencer = services.influencer_create(
        actor=None,
        agency=world.agency,
        name="Max",
        profiles=[
            {"platform": "instagram", "handle": "max", "followers": 600_000},
            {"platform": "tiktok", "handle": "max", "followers": 20_000},
        ],
    )
    assert influencer.max_followers == 600_000
    assert influencer.tier == Tier.MACRO
    services.profile_add(
        actor=None, influencer=influencer, platform="youtube", handle="max", followers=2_000_000
    )
    influencer.refresh_from_db()
    assert influencer.tier == Tier.MEGA


def test_the_tier_filter_keeps_exactly_one_tier(world):
    for n, followers in enumerate((5, 10_000, 60_000, 700_000, 1_000_000)):
        services.influencer_create(
            actor=None,
            agency=world.agency,
            name=f"i{n}",
            profiles=[{"platform": "x", "handle": f"h{n}", "followers": followers}],
        )
    for tier in Tier:
        names = list(
            Influencer.objects.filter(tier_filter(tier)).values_list("max_followers", flat=True)
        )
        assert len(names) == 1
        assert tier_for(names[0]) == tier
