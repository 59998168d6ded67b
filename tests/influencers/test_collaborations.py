"""Collaborations: an influencer on a campaign, its content matched to listening, its
results and value, and how they feed the campaign's KPIs, page and report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from campaigns import kpis
from campaigns import services as campaign_services
from influencers import emv, selectors, services
from influencers.models import Collaboration, ContentLink, Deliverable
from listening import pipeline
from listening.connectors.base import NormalizedPost
from socialhub.models import AuditEvent
from tests.audit import recorded
from tests.influencers.conftest import NOW, days_ago

TODAY = NOW.date()


@pytest.fixture
def campaign(world, listening_setup):
    """Ten days in, ten to go, measured by the "Acme" query."""
    return campaign_services.campaign_create(
        actor=world.users["admin"],
        brand=world.brand,
        queries=[listening_setup["Acme"]],
        name="Spring",
        objective="awareness",
        start_date=TODAY - timedelta(days=10),
        end_date=TODAY + timedelta(days=10),
    )


def attach(world, relationship, campaign, **kw):
    kw.setdefault("fee", Decimal("100"))
    kw.setdefault("currency", "EUR")
    return services.collaboration_create(
        actor=world.users["manager"],
        brand=world.brand,
        relationship=relationship,
        campaign=campaign,
        **kw,
    )


_n = iter(range(1, 10**6))


def post(world, committed, *, author, text, when, url="", likes=0, shares=0, replies=0,
         reach=0, followers=100):  # fmt: skip
    with committed():
        pipeline.ingest(
            [
                NormalizedPost(
                    platform="mastodon",
                    external_id=f"c{next(_n)}",
                    url=url,
                    text=text,
                    published_at=when,
                    author_handle=author,
                    author_name=author.title(),
                    author_followers=followers,
                    lang="en",
                    likes=likes,
                    shares=shares,
                    replies=replies,
                    reach=reach,
                )
            ],
            brand_ids={world.brand.pk},
        )


# -- rules -------------------------------------------------------------------------------


def test_an_unknown_currency_is_a_field_error_and_nothing_is_saved(world, relationship, campaign):
    with pytest.raises(ValidationError) as exc:
        attach(
            world,
            relationship,
            campaign,
            currency="ZZZ",
            deliverables=[{"platform": "instagram", "format": "reel", "count": 2}],
            links=["https://insta.example/p/1"],
        )
    assert "ISO 4217" in exc.value.message_dict["currency"][0]
    assert not Collaboration.objects.exists()
    assert not Deliverable.objects.exists() and not ContentLink.objects.exists()


def test_a_deliverable_due_before_the_campaign_starts_is_refused(world, relationship, campaign):
    early = campaign.start_date - timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        attach(
            world,
            relationship,
            campaign,
            deliverables=[
                {"platform": "instagram", "format": "post", "count": 1, "due_date": TODAY},
                {"platform": "tiktok", "format": "video", "count": 1, "due_date": early},
            ],
        )
    (message,) = exc.value.message_dict["deliverables"]
    assert message.startswith("Deliverable 2: due date: ")
    assert "before the campaign starts" in message
    assert not Collaboration.objects.exists() and not Deliverable.objects.exists()


def test_the_campaign_must_be_the_brands_and_only_once_per_influencer(
    world, relationship, campaign
):
    theirs = campaign_services.campaign_create(
        actor=world.users["admin"],
        brand=world.sibling,
        name="Sibling spring",
        objective="awareness",
        start_date=TODAY,
        end_date=TODAY,
    )
    with pytest.raises(ValidationError) as exc:
        attach(world, relationship, theirs)
    assert "campaign" in exc.value.message_dict
    attach(world, relationship, campaign)
    with pytest.raises(ValidationError) as exc:
        attach(world, relationship, campaign)
    assert "already collaborates on Spring" in exc.value.message_dict["campaign"][0]


# -- audit -------------------------------------------------------------------------------


def test_it_audits_a_new_collaboration_and_its_status_changes(world, relationship, campaign):
    manager = world.users["manager"]
    with recorded() as created:
        c = attach(world, relationship, campaign)
    with recorded() as clicks_only:
        services.collaboration_update(actor=manager, collaboration=c, clicks=12)
    with recorded() as agreed:
        services.collaboration_update(actor=manager, collaboration=c, status="agreed")

    [event] = created
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.COLLABORATION_CREATED,
        manager,
        world.brand,
    )
    assert event.summary == "collaboration “Nina Nano” on “Spring” in Acme Test: status proposed"
    assert clicks_only == []
    [event] = agreed
    assert (event.action, event.actor) == (AuditEvent.Action.COLLABORATION_STATUS_CHANGED, manager)
    assert (event.detail["from"], event.detail["to"]) == ("proposed", "agreed")
    assert event.summary == (
        "collaboration “Nina Nano” on “Spring” in Acme Test: status proposed → agreed"
    )


def test_a_refused_collaboration_leaves_no_audit_row(world, relationship, campaign):
    c = attach(world, relationship, campaign)

    with recorded() as events:
        with pytest.raises(ValidationError):
            attach(world, relationship, campaign)
        with pytest.raises(ValidationError):
            services.collaboration_update(
                actor=world.users["manager"], collaboration=c, status="done", currency="ZZZ"
            )

    assert events == []


def test_it_audits_deleting_a_collaboration(world, relationship, campaign):
    c = attach(world, relationship, campaign)

    with recorded() as events:
        services.collaboration_delete(actor=world.users["admin"], collaboration=c)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.COLLABORATION_DELETED,
        world.users["admin"],
        world.brand,
    )
    assert event.detail == {"name": "Nina Nano", "campaign": "Spring"}
    assert event.summary == "collaboration “Nina Nano” on “Spring” in Acme Test"


# -- matching ----------------------------------------------------------------------------


def test_a_content_url_is_matched_to_the_mention_of_that_post(
    world, relationship, campaign, committed
):
    # Posted from an account not linked to the influencer: only the URL can tell.
    post(world, committed, author="someone", text="acme unboxing", when=days_ago(2),
         url="https://insta.example/p/42", likes=10, reach=1000)  # fmt: skip
    c = attach(world, relationship, campaign, links=["https://insta.example/p/42/"])
    (link,) = c.links.all()
    assert link.matched_by == "url" and link.mention.post.url == "https://insta.example/p/42"
    assert selectors.collaboration_results(c).reach == 1000


def test_a_url_heard_after_the_collaboration_is_saved_is_matched_by_the_ingest_hook(
    world, relationship, campaign, committed
):
    c = attach(world, relationship, campaign, links=["https://insta.example/p/7"])
    assert selectors.collaboration_results(c).posts == 0
    post(world, committed, author="someone", text="acme haul", when=days_ago(1),
         url="https://insta.example/p/7", likes=3)  # fmt: skip
    (link,) = c.links.all()
    assert link.matched_by == "url" and link.mention is not None


def test_posts_by_the_influencers_profiles_during_the_campaign_are_found(
    world, relationship, campaign, committed
):
    c = attach(world, relationship, campaign)
    # Nina's Mastodon profile: heard by the campaign's query during the campaign...
    post(world, committed, author="nina", text="love my acme", when=days_ago(3), likes=5)
    # ...but not before it started, nor about something the campaign does not measure.
    post(world, committed, author="nina", text="acme again", when=days_ago(12))
    post(world, committed, author="nina", text="this bottle", when=days_ago(2))
    links = list(c.links.all())
    assert [(link.typed, link.matched_by, link.mention.post.text) for link in links] == [
        (False, "author", "love my acme")
    ]
    # Saving again finds nothing new and keeps the found link.
    services.collaboration_update(actor=None, collaboration=c, links=[])
    assert c.links.count() == 1


def test_a_cancelled_collaboration_is_not_matched(world, relationship, campaign, committed):
    c = attach(world, relationship, campaign, status="cancelled")
    post(world, committed, author="nina", text="love my acme", when=days_ago(1))
    assert not c.links.exists()


# -- results -----------------------------------------------------------------------------


def test_results_maths(world, relationship, campaign, committed, settings):
    settings.SOCIALHUB_EMV_RATES = {
        "default": {"engagement": "0.10", "reach_cpm": "5.00"},
        "mastodon": {"engagement": "0.50", "reach_cpm": "10.00"},
    }
    post(world, committed, author="nina", text="love acme", when=days_ago(3),
         likes=30, shares=10, replies=10, reach=2000)  # fmt: skip
    post(world, committed, author="nina", text="acme part two", when=days_ago(2),
         likes=40, shares=5, replies=5, reach=3000)  # fmt: skip
    c = attach(world, relationship, campaign, fee=Decimal("250"), clicks=42)
    r = selectors.collaboration_results(c)
    assert (r.posts, r.reach, r.engagement, r.clicks) == (2, 5000, 100, 42)
    assert r.engagement_rate == 2.0  # 100 / 5000, in percent
    assert r.cost_per_engagement == Decimal("2.50")  # 250 / 100
    # 100 engagements × 0.50 + 5000 / 1000 × 10.00
    assert r.emv == Decimal("100.00")


def test_results_without_content_have_no_rates(world, relationship, campaign):
    r = selectors.collaboration_results(attach(world, relationship, campaign))
    assert (r.reach, r.engagement, r.engagement_rate, r.cost_per_engagement) == (0, 0, None, None)
    assert r.emv == Decimal("0.00")


def test_the_emv_rate_card_is_configurable_per_platform(settings):
    settings.SOCIALHUB_EMV_RATES = {
        "default": {"engagement": "0.10", "reach_cpm": "4.00"},
        "youtube": {"engagement": "1.00"},
        "tiktok": {"engagement": "broken", "reach_cpm": "-3"},
    }
    assert emv.value("youtube", engagement=10, reach=1000) == Decimal("14.00")
    assert emv.value("bluesky", engagement=10, reach=1000) == Decimal("5.00")
    # A bad rate falls back to the built-in one rather than breaking the pages.
    tiktok = emv.rate_for("tiktok")
    assert (tiktok.engagement, tiktok.reach_cpm) == (Decimal("0.10"), Decimal("5.00"))
    settings.SOCIALHUB_EMV_RATES = {}
    assert emv.rate_for("instagram").engagement == Decimal("0.10")


# -- campaign KPI, page and report --------------------------------------------------------


def test_collaborators_posts_count_in_the_influencer_mentions_kpi_once(
    world, relationship, campaign, committed
):
    campaign_services.kpi_create(
        actor=world.users["admin"],
        campaign=campaign,
        metric="influencer_mentions",
        target=10,
        follower_threshold=10_000,
    )
    post(world, committed, author="star", text="acme rocks", when=days_ago(1), followers=50_000)

    def value():
        kpis.forget(campaign)
        return kpis.evaluate(campaign)[0].current

    assert value() == 1
    attach(world, relationship, campaign)
    # Nina is below the threshold: her campaign post counts as a collaborator's.
    post(world, committed, author="nina", text="love acme", when=days_ago(1), followers=1_200)
    assert value() == 2
    # A collaborator above the threshold is counted once, not twice.
    star = services.influencer_create(
        actor=None,
        agency=world.agency,
        name="Star",
        profiles=[{"platform": "mastodon", "handle": "star", "followers": 50_000}],
    )
    attach(world, services.relationship_open(actor=None, brand=world.brand, influencer=star),
           campaign)  # fmt: skip
    assert value() == 2


def test_the_campaign_page_and_report_show_the_collaborations(
    world, relationship, campaign, committed
):
    post(world, committed, author="nina", text="love acme", when=days_ago(1), likes=9, reach=300)
    attach(world, relationship, campaign, fee=Decimal("90"))
    client = world.client_for("client")
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Influencer collaborations" in page and "Nina Nano" in page
    assert 'data-total="reach">300<' in page
    report_url = reverse(
        "reviews:campaign_report", kwargs={"brand_slug": world.brand.slug, "pk": campaign.pk}
    )
    report = client.get(report_url).content.decode()
    assert "Nina Nano" in report and "table=collaborations" in report
    export = client.get(report_url, {"format": "csv", "table": "collaborations"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("Nina Nano,Proposed,,1,300,9,3,0,90.00,10.00,")


# -- pages ------------------------------------------------------------------------------


def collab_url(world, name, **kw):
    return reverse(f"influencers:{name}", kwargs={"brand_slug": world.brand.slug, **kw})


def test_staff_attach_a_relationship_to_a_campaign(world, relationship, campaign):
    client = world.client_for("analyst")
    url = collab_url(world, "collaboration_create", pk=relationship.pk)
    assert "Attach Nina Nano to a campaign" in client.get(url).content.decode()
    data = {
        "campaign": campaign.pk,
        "status": "agreed",
        "fee": "500",
        "currency": "usd",
        "clicks": "0",
        "links": "https://insta.example/p/1",
        "deliverables-TOTAL_FORMS": "2",
        "deliverables-INITIAL_FORMS": "0",
        "deliverables-0-platform": "instagram",
        "deliverables-0-format": "reel",
        "deliverables-0-count": "2",
        "deliverables-0-due_date": str(campaign.start_date - timedelta(days=3)),
        "deliverables-1-platform": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "before the campaign starts" in response.content.decode()
    assert not Collaboration.objects.exists()
    data["deliverables-0-due_date"] = str(campaign.end_date)
    response = client.post(url, data)
    c = Collaboration.objects.get()
    assert response.url == c.get_absolute_url()
    assert (c.currency, c.status, c.deliverables.get().count) == ("USD", "agreed", 2)
    detail = client.get(c.get_absolute_url()).content.decode()
    assert "not heard by listening yet" in detail and "Earned-media value" in detail


def test_a_client_reads_collaborations_but_cannot_change_them(world, relationship, campaign):
    c = attach(world, relationship, campaign)
    client = world.client_for("client")
    assert client.get(collab_url(world, "collaboration_list")).status_code == 200
    detail = client.get(c.get_absolute_url())
    assert detail.status_code == 200 and "Edit" not in detail.content.decode()
    assert client.get(collab_url(world, "collaboration_update", pk=c.pk)).status_code == 403
    assert client.post(collab_url(world, "collaboration_delete", pk=c.pk)).status_code == 403
    url = collab_url(world, "collaboration_create", pk=relationship.pk)
    assert client.get(url).status_code == 403
    api = APIClient()
    api.force_authenticate(world.users["client"])
    base = f"/api/brands/{world.brand.slug}/influencer-collaborations/"
    assert api.get(base).json()["results"][0]["id"] == c.pk
    assert api.patch(f"{base}{c.pk}/", {"clicks": 5}, format="json").status_code == 403
    assert api.delete(f"{base}{c.pk}/").status_code == 403


def test_the_collaboration_list_pins_its_queries(
    world, relationship, campaign, django_assert_max_num_queries
):
    for n in range(6):
        other = services.influencer_create(actor=None, agency=world.agency, name=f"Extra {n}")
        r = services.relationship_open(actor=None, brand=world.brand, influencer=other)
        attach(world, r, campaign, links=[f"https://insta.example/p/{n}"],
               deliverables=[{"platform": "instagram"}])  # fmt: skip
    client = world.client_for("manager")
    client.get(collab_url(world, "collaboration_list"))  # warm the session and caps
    # session, user, memberships/role (3), count, collaborations, links, deliverables,
    # campaigns of the filter, plus the layout's brand switcher.
    with django_assert_max_num_queries(14):
        response = client.get(collab_url(world, "collaboration_list"))
    assert response.content.decode().count("data-collaboration=") == 6


# -- API ---------------------------------------------------------------------------------


def test_the_api_writes_a_collaboration_with_its_children_all_or_nothing(
    world, relationship, campaign
):
    api = APIClient()
    api.force_authenticate(world.users["manager"])
    base = f"/api/brands/{world.brand.slug}/influencer-collaborations/"
    body = {
        "relationship": relationship.pk,
        "campaign": campaign.pk,
        "fee": "300.00",
        "currency": "GBP",
        "deliverables": [
            {"platform": "instagram", "format": "post"},
            {"platform": "youtube", "format": "video", "due_date": "2000-01-01"},
        ],
        "links": [{"url": "https://yt.example/v/1"}],
    }
    bad = api.post(base, body, format="json")
    assert bad.status_code == 400, bad.json()
    errors = bad.json()["errors"]
    assert errors["deliverables"][0] == {}
    assert "before the campaign starts" in errors["deliverables"][1]["due_date"]
    body["deliverables"][1]["due_date"] = str(campaign.end_date)
    body["currency"] = "XXQ"
    bad = api.post(base, body, format="json")
    assert bad.status_code == 400 and "ISO 4217" in str(bad.json()["errors"]["currency"])
    assert not Collaboration.objects.exists() and not Deliverable.objects.exists()

    body["currency"] = "GBP"
    created = api.post(base, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert len(data["deliverables"]) == 2 and data["links"][0]["url"] == "https://yt.example/v/1"
    assert data["results"]["posts"] == 0 and data["influencer_name"] == "Nina Nano"

    # A foreign campaign or relationship is a field error.
    theirs = campaign_services.campaign_create(
        actor=world.users["admin"],
        brand=world.sibling,
        name="Elsewhere",
        objective="awareness",
        start_date=TODAY,
        end_date=TODAY,
    )
    foreign = api.post(base, {**body, "campaign": theirs.pk}, format="json")
    assert foreign.status_code == 400 and "campaign" in foreign.json()["errors"]

    url = f"{base}{data['id']}/"
    replaced = api.patch(url, {"deliverables": [], "clicks": 12}, format="json").json()
    assert replaced["deliverables"] == [] and replaced["results"]["clicks"] == 12
    assert len(replaced["links"]) == 1


def test_another_brands_collaboration_is_not_found(world, relationship, campaign):
    c = attach(world, relationship, campaign)
    client = world.client_for(world.foreign_manager)
    assert client.get(c.get_absolute_url()).status_code == 404
