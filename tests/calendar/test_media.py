"""Images on posts: checked by their bytes, at most 5 MB, clear errors, nothing half-saved."""

from __future__ import annotations

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import ContentPost
from tests.calendar.conftest import make_account


def png(width=2, height=1) -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def form_data(account, **extra):
    return {"account": account.pk, "text": "With a picture", **extra}


def create_url(world):
    return reverse("calendar:post_create", kwargs={"brand_slug": world.brand.slug})


def test_a_png_is_attached_with_its_type_and_size(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = make_account(world, "mastodon")
    image = SimpleUploadedFile("photo.png", png(3, 2), content_type="image/png")

    response = world.client_for("analyst").post(
        create_url(world), form_data(account, images=[image])
    )

    assert response.status_code == 302
    media = ContentPost.objects.get(brand=world.brand).media.get()
    assert (media.content_type, media.width, media.height) == ("image/png", 3, 2)
    assert media.size == len(png(3, 2))


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = make_account(world, "mastodon")
    fake = SimpleUploadedFile("photo.png", b"<?php echo 'hi'; ?>", content_type="image/png")

    response = world.client_for("analyst").post(
        create_url(world), form_data(account, images=[fake])
    )

    assert response.status_code == 200
    assert (
        "“photo.png” is not a JPEG, PNG, GIF or WebP image (checked by its content)."
        in response.content.decode()
    )
    assert not ContentPost.objects.filter(brand=world.brand).exists()


def test_an_image_over_5_mb_is_refused_and_nothing_is_saved(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = make_account(world, "mastodon")
    big = SimpleUploadedFile(
        "huge.jpg", b"\xff\xd8\xff\xe0" + b"0" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"
    )

    response = world.client_for("analyst").post(create_url(world), form_data(account, images=[big]))

    assert response.status_code == 200
    assert "“huge.jpg” is 5.0 MB; images can be at most 5 MB." in response.content.decode()
    assert not ContentPost.objects.filter(brand=world.brand).exists()


def test_the_post_form_shows_the_limit_error_of_the_chosen_channel(world):
    account = make_account(world, "bluesky")

    response = world.client_for("analyst").post(
        create_url(world),
        {"account": account.pk, "text": "x" * 301, "link": "acme.example/a", "utm_source": "bsky"},
    )

    assert response.status_code == 200
    assert "301 graphemes: 1 over the 300-grapheme limit of Bluesky." in response.content.decode()
    assert not ContentPost.objects.exists()


def test_the_post_form_builds_the_utm_link_and_reads_the_time_in_the_brands_zone(world):
    world.brand.timezone = "America/New_York"
    world.brand.save()
    account = make_account(world, "mastodon")

    world.client_for("analyst").post(
        create_url(world),
        {
            "account": account.pk,
            "text": "Launch day",
            "link": "https://acme.example/launch",
            "utm_source": "mastodon",
            "utm_medium": "social",
            "utm_campaign": "launch",
            "scheduled_date": "2027-07-01",
            "scheduled_time": "09:15",
            "labels": "launch, video",
        },
    )

    post = ContentPost.objects.get()
    assert (
        post.link
        == "https://acme.example/launch?utm_source=mastodon&utm_medium=social&utm_campaign=launch"
    )
    assert post.scheduled_at.isoformat() == "2027-07-01T13:15:00+00:00"  # 09:15 EDT
    assert post.labels == ["launch", "video"]
    assert post.status == "draft"


def test_a_member_sees_the_image_as_stored_and_an_outsider_does_not(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = make_account(world, "mastodon")
    image = SimpleUploadedFile("photo.png", png(3, 2), content_type="image/png")
    world.client_for("analyst").post(create_url(world), form_data(account, images=[image]))
    media = ContentPost.objects.get(brand=world.brand).media.get()
    url = reverse("calendar:media", kwargs={"brand_slug": world.brand.slug, "pk": media.pk})

    response = world.client_for("client").get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png(3, 2)
    assert world.client_for(world.outsider).get(url).status_code == 404
    detail = world.client_for("client").get(
        reverse(
            "calendar:post_detail", kwargs={"brand_slug": world.brand.slug, "pk": media.post_id}
        )
    )
    assert url in detail.content.decode()
