from datetime import UTC, datetime, timedelta

from django.urls import reverse

from influencers import selectors, services
from influencers.models import Influencer, Relationship
from listening.models import Author
from tests.influencers.conftest import days_ago


def period():
    end = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    return end - timedelta(days=30), end


def plant(hear):
    # big: 1 mention, large reach; fan: 3 positive mentions; critic: 2 negative ones;
    # rival: only talks about the competitor; old: outside the period.
    hear([("big", "acme meh", days_ago(2))], reach=50_000)
    hear([("fan", "acme love it", days_ago(d)) for d in (1, 2, 3)], reach=100, likes=10)
    hear([("critic", "acme hate it", days_ago(d)) for d in (1, 4)], reach=300)
    hear([("rival", "globex love it", days_ago(1))], reach=900)
    hear([("old", "acme love it", days_ago(45))], reach=99_999)


def test_it_ranks_authors_by_reach_engagement_mentions_and_sentiment(world, hear):
    plant(hear)
    start, end = period()

    def ranked(sort, **kw):
        found = selectors.discovery_rank(world.brand, start=start, end=end, sort=sort, **kw)
        return [c.author.handle for c in found.candidates]

    assert ranked("reach") == ["big", "rival", "critic", "fan"]
    assert ranked("engagement")[0] == "fan"
    assert ranked("mentions")[:2] == ["fan", "critic"]
    assert ranked("sentiment")[0] in {"fan", "rival"}
    assert ranked("sentiment")[-1] == "critic"
    assert "old" not in ranked("reach")
    # By query kind: the competitor's talkers only; the brand's exclude them.
    assert ranked("reach", kind="competitor") == ["rival"]
    assert "rival" not in ranked("reach", kind="brand")


def test_the_figures_are_those_listening_heard(world, hear):
    plant(hear)
    start, end = period()
    found = selectors.discovery_rank(world.brand, start=start, end=end, sort="mentions")
    fan = next(c for c in found.candidates if c.author.handle == "fan")
    assert (fan.mentions, fan.reach, fan.engagement, fan.positive) == (3, 300, 30, 3)
    assert fan.net_sentiment == 100.0
    critic = next(c for c in found.candidates if c.author.handle == "critic")
    assert critic.net_sentiment == -100.0


def test_it_marks_who_is_already_in_the_directory(world, hear):
    plant(hear)
    services.influencer_create(
        actor=None,
        agency=world.agency,
        name="The Fan",
        profiles=[{"platform": "mastodon", "handle": "fan"}],
    )
    start, end = period()
    found = selectors.discovery_rank(world.brand, start=start, end=end)
    assert found.in_directory == 1
    assert next(c for c in found.candidates if c.influencer).influencer.name == "The Fan"


def test_add_and_open_creates_the_influencer_the_linked_profile_and_a_prospect(world, hear):
    plant(hear)
    client = world.client_for("analyst")
    author = Author.objects.get(handle="critic")
    url = reverse("influencers:discover_add", kwargs={"brand_slug": world.brand.slug})
    response = client.post(url, {"author": author.pk})
    relationship = Relationship.objects.get(brand=world.brand)
    assert response.status_code == 302
    assert response["Location"] == relationship.get_absolute_url()
    assert relationship.stage == "prospect"
    assert relationship.owner == world.users["analyst"]
    influencer = relationship.influencer
    assert influencer.agency == world.agency
    assert influencer.profiles.get().author == author
    # A second click opens the same relationship, no duplicate.
    client.post(url, {"author": author.pk})
    assert Influencer.objects.count() == 1
    assert Relationship.objects.count() == 1


def test_an_author_the_brand_never_heard_cannot_be_added(world, hear):
    plant(hear)
    stranger = Author.objects.create(platform="mastodon", handle="stranger")
    client = world.client_for("analyst")
    url = reverse("influencers:discover_add", kwargs={"brand_slug": world.brand.slug})
    response = client.post(url, {"author": stranger.pk}, follow=True)
    assert "Choose an author the brand has heard" in response.content.decode()
    assert not Relationship.objects.exists()


def test_it_lists_who_mentioned_the_brand_and_was_never_contacted(world, hear):
    plant(hear)
    fan = services.influencer_create(
        actor=None,
        agency=world.agency,
        name="Fan",
        profiles=[{"platform": "mastodon", "handle": "fan"}],
    )
    critic = services.influencer_create(
        actor=None,
        agency=world.agency,
        name="Critic",
        profiles=[{"platform": "mastodon", "handle": "critic"}],
    )
    listed = selectors.mentioned_never_contacted(world.brand)
    assert [(i.name, n) for i, n, _ in listed] == [("Fan", 3), ("Critic", 2)]
    relationship = services.relationship_open(actor=None, brand=world.brand, influencer=critic)
    services.interaction_add(
        actor=None,
        relationship=relationship,
        kind="dm",
        date=datetime.now(UTC).date(),
        summary="Asked what went wrong",
    )
    assert [i for i, _, _ in selectors.mentioned_never_contacted(world.brand)] == [fan]


def test_the_discovery_page_shows_the_ranking_and_the_directory_count(world, hear):
    plant(hear)
    client = world.client_for("manager")
    url = reverse("influencers:discover", kwargs={"brand_slug": world.brand.slug})
    response = client.get(url, {"days": 30, "sort": "reach", "kind": "brand"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "@big" in text and "@rival" not in text
    assert "Add and open a relationship" in text
    assert "0 of these 3 are already in the directory" in text


def test_clients_do_not_use_discovery(world):
    url = reverse("influencers:discover", kwargs={"brand_slug": world.brand.slug})
    assert world.client_for("client").get(url).status_code == 403
