"""What the access suite needs to be told: routes that are not brand- or agency-scoped
(and why), and how to build an object of each model a route takes the pk of.

Adding a page or endpoint under /b/<brand_slug>/ or /api/brands/<brand_slug>/ needs
nothing here unless its URL has a ``pk`` of a model without a factory below; the suite
fails loudly until one is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from campaigns import services as campaign_services
from campaigns.calendar import services as calendar_services
from campaigns.models import (
    ApprovalLink,
    Campaign,
    ContentPost,
    Kpi,
    KpiEntry,
    PostMedia,
    Review,
    ReviewDecision,
    SocialAccount,
)
from campaigns.reviews import services as review_services
from influencers import services as influencer_services
from influencers.models import (
    Collaboration,
    Influencer,
    InfluencerProfile,
    Interaction,
    Relationship,
)
from listening import services as listening_services
from listening.alerts import services as alerts_services
from listening.alerts.models import Alert, AlertRule
from listening.connectors.base import NormalizedPost
from listening.inbox import services as inbox_services
from listening.inbox.models import InboxItem, RoutingRule
from listening.models import ImportJob, Mention, PhraseRule, Query, Source
from listening.pipeline import ingest
from socialhub import services
from socialhub.models import AuditEvent, Brand, BrandMembership, Invitation, User

# Routes with neither a brand_slug nor an agency_slug. Keys are globs over the URL name
# ("namespace:name") or, for unnamed routes, "namespace:" or the route ("/path/").
ALLOWLIST: dict[str, str] = {
    "home": "the signed-in user's own brand list (Brand.objects.for_user)",
    "health": "load-balancer check; says only that the database answers",
    "socialhub:invitation_accept": "the emailed token is the credential; checked by services",
    "socialhub:api_token": "the signed-in user's own API token",
    "account_*": "allauth: sign-in, sign-up, email, password; about the user themself",
    "mfa_*": "allauth: the user's own two-factor setup",
    "usersessions_*": "allauth: the user's own sessions",
    "admin:*": "Django admin: platform staff only (is_staff), behind allauth's login",
    "api:root": "links to the top-level endpoints; no data",
    "api:me": "the signed-in user and what they hold (for_user querysets)",
    "api:schema": "the OpenAPI schema: describes endpoints, holds no data",
    "api:docs": "Swagger UI over the schema",
    "api:agency-*": "agencies the user belongs to; changes only by its admins (own querysets)",
    "api:brand-list": "brands the user holds (Brand.objects.for_user); create in own agency",
    "api:influencer-*": (
        "agency influencer directories (Influencer/InfluencerProfile.objects.for_user: "
        "the agency's admins and its brands' staff); tested in tests/influencers/test_api.py"
    ),
    "calendar_public:approve": "the signed token is the credential (a client's approval link)",
    "calendar_public:approve_media": "the approval link's token: images of posts in review",
    "calendar_public:ics": "the private feed token is the credential (the brand's .ics feed)",
}

_n = count(1)


def _email() -> str:
    return f"access-suite-{next(_n)}@example.test"


def _person(brand: Brand, role: str = "analyst") -> User:
    """A person with ``role`` in ``brand`` (no password: hashing would only slow us down)."""
    user = services.user_create(email=_email(), password=None, email_verified=True)
    services.membership_set_role(actor=None, brand=brand, user=user, role=role)
    return user


def _admin_of(brand: Brand) -> User:
    return brand.agency.memberships.filter(is_admin=True).first().user


def make_membership(brand: Brand) -> BrandMembership:
    return BrandMembership.objects.get(brand=brand, user=_person(brand))


def make_user(brand: Brand) -> User:
    return _person(brand, "client")


def make_brand(brand: Brand) -> Brand:
    return services.brand_create(actor=_admin_of(brand), agency=brand.agency, name=_email())


def make_invitation(brand: Brand) -> Invitation:
    invitation, _ = services.invitation_create(
        actor=_admin_of(brand),
        agency=brand.agency,
        email=_email(),
        brand_roles={brand: "client"},
        base_url="http://testserver/",
    )
    return invitation


def make_audit_event(brand: Brand) -> AuditEvent:
    return services.audit_record(
        agency=brand.agency, actor=None, action=AuditEvent.Action.BRAND_UPDATED, brand=brand
    )


def make_source(brand: Brand) -> Source:
    return listening_services.source_create(
        actor=_admin_of(brand),
        brand=brand,
        name=_email(),
        kind=Source.Kind.RSS,
        config={"url": "https://example.org/feed.xml"},
    )


def make_query(brand: Brand) -> Query:
    word = f"accesssuite{next(_n)}"
    return listening_services.query_create(
        actor=_admin_of(brand), brand=brand, name=word, expression=word
    )


def make_mention(brand: Brand) -> Mention:
    query = make_query(brand)
    post = NormalizedPost(
        platform="api",
        external_id=query.expression,
        url="",
        text=f"Talking about {query.expression} today",
        published_at=datetime.now(UTC),
        author_handle="someone",
        author_name="",
        author_url="",
        author_followers=10,
        lang="en",
        likes=0,
        shares=0,
        replies=0,
        reach=10,
        raw={},
    )
    ingest([post], brand_ids={brand.pk})
    return Mention.objects.get(brand=brand, post__external_id=query.expression)


def make_phrase_rule(brand: Brand) -> PhraseRule:
    return listening_services.phrase_rule_create(
        actor=_admin_of(brand), brand=brand, phrase=_email(), sentiment="positive"
    )


def make_import_job(brand: Brand) -> ImportJob:
    # Awaiting its column mapping; the file itself is not needed until the worker runs.
    return ImportJob.objects.create(
        brand=brand,
        file_path=f"{brand.pk}/access-suite-{next(_n)}",
        original_name="export.csv",
        format=ImportJob.Format.CSV,
        columns=["Full Text", "Date"],
        sample_rows=[["Talking about it", "2025-05-19T10:00:00Z"]],
        mapping={"text": "Full Text", "published_at": "Date"},
        created_by=_admin_of(brand),
    )


def make_alert_rule(brand: Brand) -> AlertRule:
    return alerts_services.alert_rule_create(
        actor=_admin_of(brand), brand=brand, name=_email(), kind="keyword", keyword="outage"
    )


def make_alert(brand: Brand) -> Alert:
    rule = make_alert_rule(brand)
    now = datetime.now(UTC)
    return Alert.objects.create(
        brand=brand,
        rule=rule,
        kind=rule.kind,
        window_start=now,
        window_end=now,
        threshold=1,
        observed_value=1,
        explanation="Access suite alert.",
    )


def make_inbox_item(brand: Brand) -> InboxItem:
    # The ingest hook runs on commit, which the suite's rolled-back requests never
    # reach: create the item the way the hook does.
    mention = make_mention(brand)
    inbox_services.items_create_for_mentions([mention.pk])
    return InboxItem.objects.get(mention=mention)


def make_routing_rule(brand: Brand) -> RoutingRule:
    return inbox_services.routing_rule_create(
        actor=_admin_of(brand), brand=brand, category="complaint", keywords=_email()
    )


def make_social_account(brand: Brand) -> SocialAccount:
    return calendar_services.social_account_create(
        actor=_admin_of(brand), brand=brand, platform="x", handle=f"@{_email()}"
    )


def make_content_post(brand: Brand) -> ContentPost:
    return calendar_services.post_create(
        actor=_admin_of(brand),
        brand=brand,
        account=make_social_account(brand),
        text="A post for the access suite",
    )


# The smallest valid PNG (1×1), for posts with an image.
ONE_PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4a40000000049454e44ae426082"
)


def make_post_media(brand: Brand) -> PostMedia:
    post = calendar_services.post_create(
        actor=_admin_of(brand),
        brand=brand,
        account=make_social_account(brand),
        text="A post with an image",
        images=[SimpleUploadedFile("pixel.png", ONE_PIXEL_PNG, content_type="image/png")],
    )
    return post.media.get()


def make_approval_link(brand: Brand) -> ApprovalLink:
    return calendar_services.approval_link_create(
        actor=_admin_of(brand),
        brand=brand,
        recipient_name="Access Suite",
        recipient_email=_email(),
    )


def make_campaign(brand: Brand) -> Campaign:
    return campaign_services.campaign_create(
        actor=_admin_of(brand),
        brand=brand,
        name=_email(),
        objective="awareness",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 1, 31),
    )


def make_kpi(brand: Brand) -> Kpi:
    return campaign_services.kpi_create(
        actor=_admin_of(brand), campaign=make_campaign(brand), metric="clicks", target=100
    )


def make_kpi_entry(brand: Brand) -> KpiEntry:
    return campaign_services.kpi_entry_create(
        actor=_admin_of(brand),
        campaign=make_campaign(brand),
        metric="clicks",
        date=date(2026, 1, 2),
        value=10,
    )


def make_review(brand: Brand) -> Review:
    return review_services.review_create(
        actor=_admin_of(brand), campaign=make_campaign(brand), summary="Access suite review."
    )


def make_review_decision(brand: Brand) -> ReviewDecision:
    review = review_services.review_create(
        actor=_admin_of(brand),
        campaign=make_campaign(brand),
        decisions=[{"verdict": "keep", "subject": "Access suite decision"}],
    )
    return review.decisions.get()


def make_influencer(brand: Brand) -> Influencer:
    return influencer_services.influencer_create(
        actor=_admin_of(brand),
        agency=brand.agency,
        name=_email(),
        profiles=[{"platform": "instagram", "handle": f"suite{next(_n)}", "followers": 100}],
    )


def make_influencer_profile(brand: Brand) -> InfluencerProfile:
    return make_influencer(brand).profiles.get()


def make_relationship(brand: Brand) -> Relationship:
    return influencer_services.relationship_open(
        actor=_admin_of(brand), brand=brand, influencer=make_influencer(brand)
    )


def make_interaction(brand: Brand) -> Interaction:
    return influencer_services.interaction_add(
        actor=_admin_of(brand),
        relationship=make_relationship(brand),
        kind="email",
        date=datetime.now(UTC).date(),
        summary="Access suite interaction.",
    )


def make_collaboration(brand: Brand) -> Collaboration:
    return influencer_services.collaboration_create(
        actor=_admin_of(brand),
        brand=brand,
        relationship=make_relationship(brand),
        campaign=make_campaign(brand),
        fee=100,
        currency="EUR",
        deliverables=[{"platform": "instagram", "format": "post", "count": 1}],
    )


# model → a function building one object that belongs to the given brand (or its agency).
FACTORIES: dict[type[Model], Callable[[Brand], Model]] = {
    BrandMembership: make_membership,
    User: make_user,
    Brand: make_brand,
    Invitation: make_invitation,
    AuditEvent: make_audit_event,
    Source: make_source,
    Query: make_query,
    Mention: make_mention,
    PhraseRule: make_phrase_rule,
    InboxItem: make_inbox_item,
    RoutingRule: make_routing_rule,
    AlertRule: make_alert_rule,
    Alert: make_alert,
    ImportJob: make_import_job,
    Influencer: make_influencer,
    InfluencerProfile: make_influencer_profile,
    Relationship: make_relationship,
    Interaction: make_interaction,
    Collaboration: make_collaboration,
    SocialAccount: make_social_account,
    ContentPost: make_content_post,
    ApprovalLink: make_approval_link,
    PostMedia: make_post_media,
    Campaign: make_campaign,
    Kpi: make_kpi,
    KpiEntry: make_kpi_entry,
    Review: make_review,
    ReviewDecision: make_review_decision,
}

# Routes whose view has no ``model`` (form and template views): what their pk names.
PK_MODELS: dict[str, type[Model]] = {
    "socialhub:agency_member_update": User,
    "socialhub:agency_member_remove": User,
    "socialhub:agency_invitation_revoke": Invitation,
}
