"""The calendar's other pages render for the roles that may see them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.urls import reverse

from campaigns import services as campaign_services
from tests.calendar.conftest import in_review, make_account, make_post


def test_the_channel_pages_list_and_add_channels(world):
    client = world.client_for("manager")
    list_url = reverse("calendar:socialaccount_list", kwargs={"brand_slug": world.brand.slug})

    empty = client.get(list_url).content.decode()
    response = client.post(
        reverse("calendar:socialaccount_create", kwargs={"brand_slug": world.brand.slug}),
        {
            "platform": "mastodon",
            "handle": "@acme",
            "instance": "http://insecure.example",
            "access_token": "tok",
            "is_active": "on",
        },
    )

    assert "No channels yet" in empty
    assert response.status_code == 200
    assert "The instance address starts with https://" in response.content.decode()
    client.post(
        reverse("calendar:socialaccount_create", kwargs={"brand_slug": world.brand.slug}),
        {"platform": "linkedin", "handle": "Acme Inc", "is_active": "on"},
    )
    listed = client.get(list_url).content.decode()
    assert "LinkedIn Acme Inc" in listed and "By hand" in listed
    assert world.client_for("analyst").get(list_url).status_code == 403


def test_the_edit_page_and_the_new_post_page_for_a_day(world):
    post = in_review(world, scheduled_at=datetime(2027, 4, 1, 8, 0, tzinfo=UTC))
    client = world.client_for("analyst")

    edit = client.get(
        reverse("calendar:post_update", kwargs={"brand_slug": world.brand.slug, "pk": post.pk})
    ).content.decode()
    new = client.get(
        reverse("calendar:post_create", kwargs={"brand_slug": world.brand.slug})
        + "?date=2027-04-02"
    ).content.decode()

    assert "Hello from Acme" in edit and 'value="2027-04-01"' in edit
    assert 'value="2027-04-02"' in new and "data-limits=" in new


def test_the_new_post_page_says_when_there_is_no_channel(world):
    page = (
        world.client_for("manager")
        .get(reverse("calendar:post_create", kwargs={"brand_slug": world.brand.slug}))
        .content.decode()
    )

    assert "has no channels yet" in page


def test_the_campaign_page_lists_its_posts(world):
    account = make_account(world, "mastodon")
    campaign = campaign_services.campaign_create(
        actor=world.users["manager"],
        brand=world.brand,
        name="Spring",
        objective="launch",
        start_date=date(2027, 3, 1),
        end_date=date(2027, 3, 31),
    )
    make_post(world, account, text="Part of spring", campaign=campaign)
    make_post(world, account, text="Not in the campaign")

    page = (
        world.client_for("client")
        .get(
            reverse(
                "campaigns:campaign_detail",
                kwargs={"brand_slug": world.brand.slug, "pk": campaign.pk},
            )
        )
        .content.decode()
    )

    assert "Part of spring" in page and "Not in the campaign" not in page
