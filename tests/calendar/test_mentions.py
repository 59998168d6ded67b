"""Published posts are linked to the listening mentions that are them."""

from __future__ import annotations

from datetime import UTC, datetime

from campaigns.models import ContentPost
from listening import services as listening_services
from listening.connectors.base import NormalizedPost
from listening.models import Mention
from listening.pipeline import ingest
from tests.calendar.conftest import make_account, make_post


def published(world, account, *, url, external_id=""):
    post = make_post(world, account, text="Our spring range #acmespring")
    ContentPost.objects.filter(pk=post.pk).update(
        status="published", published_url=url, external_id=external_id
    )
    return post


def heard(platform, external_id, url, text="Our spring range #acmespring"):
    return NormalizedPost(
        platform=platform,
        external_id=external_id,
        url=url,
        text=text,
        published_at=datetime.now(UTC),
        author_handle="acme",
        author_name="Acme",
        author_url="",
        author_followers=100,
        lang="en",
        likes=5,
        shares=2,
        replies=1,
        reach=100,
        raw={},
    )


def test_a_new_mention_with_the_same_url_or_id_is_linked(world, committed):
    listening_services.query_create(
        actor=world.users["manager"], brand=world.brand, name="Spring", expression="acmespring"
    )
    mastodon = make_account(world, "mastodon")
    bluesky = make_account(world, "bluesky")
    by_url = published(world, mastodon, url="https://mastodon.example/@acme/1")
    by_id = published(
        world,
        bluesky,
        url="https://bsky.app/profile/acme.bsky.social/post/3k",
        external_id="at://did:plc:acme/app.bsky.feed.post/3k",
    )
    not_ours = published(world, mastodon, url="https://mastodon.example/@acme/2")

    with committed():
        ingest(
            [
                heard(
                    "mastodon",
                    "https://mastodon.example/users/acme/statuses/1",
                    "https://mastodon.example/@acme/1",
                ),
                heard(
                    "bluesky",
                    "at://did:plc:acme/app.bsky.feed.post/3k",
                    "https://bsky.app/profile/did:plc:acme/post/3k",
                ),
                heard(
                    "mastodon",
                    "https://mastodon.example/users/acme/statuses/9",
                    "https://mastodon.example/@acme/9",
                ),
            ]
        )

    for post in (by_url, by_id, not_ours):
        post.refresh_from_db()
    assert by_url.mention == Mention.objects.get(post__url="https://mastodon.example/@acme/1")
    assert by_id.mention == Mention.objects.get(
        post__external_id="at://did:plc:acme/app.bsky.feed.post/3k"
    )
    assert not_ours.mention is None


def test_another_brands_mention_is_never_linked(world, committed):
    listening_services.query_create(
        actor=world.users["admin"], brand=world.sibling, name="Spring", expression="acmespring"
    )
    post = published(world, make_account(world, "mastodon"), url="https://mastodon.example/@acme/1")

    with committed():
        ingest([heard("mastodon", "m-1", "https://mastodon.example/@acme/1")])

    post.refresh_from_db()
    assert Mention.objects.filter(brand=world.sibling).count() == 1
    assert post.mention is None
