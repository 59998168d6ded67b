"""Writes of the content calendar: social accounts, posts and their workflow, media,
comments, approval links, the iCalendar feed token, publishing outcomes and matching
published posts to listening mentions.

Every change of a post's status goes through this module: each runs in
``transaction.atomic`` on the post's row locked with ``select_for_update`` and writes a
``PostEvent`` (who, or which approval link, and why).

Workflow::

    draft ──submit──▶ in_review ──approve──▶ approved ──schedule──▶ scheduled
      ▲                  │ └─request_changes─▶ changes ──submit──▶ in_review
      └──────────────────┘                     scheduled ──due──▶ publishing ─▶ published
                                                         │                    └▶ failed
                                                         └─due, no API──▶ ready ─mark─▶ published

Approving a post that already has a time in the future schedules it at once (one
decision, two events: approved, scheduled); without a time it stays "approved" until a
manager schedules it. Editing the text, media, link or channel of an approved,
scheduled or ready post sends it back to review.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from campaigns.calendar import selectors
from campaigns.calendar.limits import limit_error
from campaigns.models import (
    ApprovalLink,
    CalendarFeed,
    Campaign,
    ContentPost,
    PostComment,
    PostEvent,
    PostMedia,
    SocialAccount,
)
from socialhub import access
from socialhub.models import AuditEvent, Brand, User
from socialhub.selectors import site_url
from socialhub.services import audit_record

logger = logging.getLogger(__name__)

Status = ContentPost.Status
Kind = PostEvent.Kind

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGES = 4
APPROVAL_LINK_DAYS = 14
# A post "publishing" for this long lost its worker (the retries' backoff adds up to
# about 16 minutes): the sweep hands it to a new task.
STALE_PUBLISHING = timedelta(minutes=30)

# Statuses in which a post can still change (edit, reschedule, cancel).
OPEN_STATUSES = (
    Status.DRAFT,
    Status.IN_REVIEW,
    Status.CHANGES_REQUESTED,
    Status.APPROVED,
    Status.SCHEDULED,
    Status.READY,
    Status.FAILED,
)
# Statuses a client (or a manager) has already said yes to: editing them needs a new yes.
APPROVED_STATUSES = (Status.APPROVED, Status.SCHEDULED, Status.READY)
CONTENT_FIELDS = ("text", "link", "account")
SECRET_KEYS = {"access_token", "app_password"}


def _now() -> datetime:
    return datetime.now(UTC)


def _brand_tz(brand: Brand) -> ZoneInfo:
    return ZoneInfo(brand.timezone or "UTC")


def _event(
    post: ContentPost,
    kind: str,
    *,
    actor: User | None = None,
    link: ApprovalLink | None = None,
    comment: str = "",
    **data: Any,
) -> PostEvent:
    return PostEvent.objects.create(
        brand_id=post.brand_id,
        post=post,
        kind=kind,
        actor=actor,
        approval_link=link,
        comment=comment,
        data=data,
    )


def _locked(post: ContentPost) -> ContentPost:
    """The post's row, locked until the transaction ends (must run inside atomic)."""
    return (
        ContentPost.objects.select_for_update().select_related("account", "brand").get(pk=post.pk)
    )


def _refuse(post: ContentPost, allowed: Iterable[str], action: str) -> None:
    if post.status not in allowed:
        raise ValidationError(
            f"A post that is “{post.get_status_display().lower()}” cannot be {action}."
        )


def _require(actor: User | None, capability: str, brand: Brand) -> None:
    """Services check the capability again: a view forgetting it must not open a hole."""
    if actor is not None and not access.can(actor, capability, brand):
        raise PermissionDenied("Your role in this brand does not allow this.")


# -- social accounts -------------------------------------------------------------------

ACCOUNT_FIELDS = ("platform", "handle", "url", "credentials_expire_at", "is_active")


def _check_account(account: SocialAccount) -> None:
    account.handle = (account.handle or "").strip()
    errors: dict[str, str] = {}
    if not account.handle:
        errors["handle"] = "Give the account's handle, e.g. @acme or acme.bsky.social."
    if account.platform not in SocialAccount.Platform.values:
        errors["platform"] = "Choose one of the listed platforms."
    taken = SocialAccount.objects.filter(
        brand_id=account.brand_id, platform=account.platform, handle__iexact=account.handle
    )
    if account.pk:
        taken = taken.exclude(pk=account.pk)
    if account.handle and taken.exists():
        errors["handle"] = "This brand already has this account."
    creds = account.credentials or {}
    if account.platform == SocialAccount.Platform.MASTODON and creds:
        instance = creds.get("instance", "")
        if not instance.startswith("https://"):
            errors["instance"] = (
                "The instance address starts with https://, e.g. https://mastodon.social."
            )
        if not creds.get("access_token"):
            errors["access_token"] = "Give an access token with the write:statuses scope."
    if account.platform == SocialAccount.Platform.BLUESKY and creds:
        if not creds.get("identifier"):
            errors["identifier"] = "Give the handle or email the account signs in with."
        if not creds.get("app_password"):
            errors["app_password"] = "Give an app password (Settings → App passwords)."
    if errors:
        raise ValidationError(errors)


def _merge_credentials(
    platform: str, old: dict[str, str], new: dict[str, str] | None
) -> dict[str, str]:
    """The new credentials, keeping stored secrets the form left blank ("set")."""
    if new is None:
        return old
    merged = {k: (v or "").strip() for k, v in new.items()}
    same_platform = old.get("_platform", platform) == platform
    for key in SECRET_KEYS:
        if key in merged and not merged[key] and same_platform and old.get(key):
            merged[key] = old[key]
    merged = {k: v for k, v in merged.items() if v}
    if platform == SocialAccount.Platform.BLUESKY and merged:
        merged.setdefault("service", "https://bsky.social")
    # Credentials of a platform we do not publish to are not kept.
    if platform not in (SocialAccount.Platform.MASTODON, SocialAccount.Platform.BLUESKY):
        return {}
    # Only a service address left (no identifier, no password): nothing to publish with.
    if set(merged) <= {"service"}:
        return {}
    return merged


@transaction.atomic
def social_account_create(
    *,
    actor: User,
    brand: Brand,
    credentials: dict[str, str] | None = None,
    **fields: Any,
) -> SocialAccount:
    """Add an owned channel to the brand (with publishing credentials where supported)."""
    _require(actor, "campaigns.manage", brand)
    account = SocialAccount(brand=brand, **{k: v for k, v in fields.items() if k in ACCOUNT_FIELDS})
    account.credentials = _merge_credentials(account.platform, {}, credentials)
    _check_account(account)
    account.save()
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.CHANNEL_CREATED,
        name=str(account),
        with_credentials=bool(account.credentials),
    )
    return account


@transaction.atomic
def social_account_update(
    *,
    actor: User,
    account: SocialAccount,
    credentials: dict[str, str] | None = None,
    **fields: Any,
) -> SocialAccount:
    """Change a channel; blank secret fields keep the stored secret. New credentials are
    recorded apart from the other changes, by the names of the settings only."""
    _require(actor, "campaigns.manage", account.brand)
    before = {key: getattr(account, key) for key in ACCOUNT_FIELDS}
    old_credentials = dict(account.credentials or {})
    for key, value in fields.items():
        if key in ACCOUNT_FIELDS:
            setattr(account, key, value)
    account.credentials = _merge_credentials(account.platform, account.credentials, credentials)
    _check_account(account)
    account.save()
    changes = [key for key in ACCOUNT_FIELDS if getattr(account, key) != before[key]]
    new_credentials = account.credentials or {}
    changed_keys = sorted(
        key
        for key in set(old_credentials) | set(new_credentials)
        if old_credentials.get(key) != new_credentials.get(key)
    )
    brand = account.brand
    if changes:
        audit_record(
            agency=brand.agency,
            brand=brand,
            actor=actor,
            action=AuditEvent.Action.CHANNEL_UPDATED,
            name=str(account),
            changes=changes,
        )
    if changed_keys:
        audit_record(
            agency=brand.agency,
            brand=brand,
            actor=actor,
            action=AuditEvent.Action.CHANNEL_CREDENTIALS_CHANGED,
            name=str(account),
            changes=changed_keys,
        )
    return account


# -- posts -----------------------------------------------------------------------------

POST_FIELDS = ("account", "campaign", "text", "link", "scheduled_at", "labels")


def _clean_labels(labels: Any) -> list[str]:
    if isinstance(labels, str):
        labels = labels.split(",")
    seen: list[str] = []
    for label in labels or []:
        label = str(label).strip()[:40]
        if label and label.lower() not in {s.lower() for s in seen}:
            seen.append(label)
    return seen[:20]


def _check_post(post: ContentPost) -> None:
    """The rules a post must keep, whoever writes it. Errors name the field."""
    errors: dict[str, str] = {}
    post.text = (post.text or "").strip()
    post.labels = _clean_labels(post.labels)
    if not post.text:
        errors["text"] = "Write the post's text."
    account = post.account if post.account_id else None
    if account is None or account.brand_id != post.brand_id:
        errors["account"] = "Choose one of this brand's channels."
    elif post.text and (message := limit_error(account.platform, post.text)):
        errors["text"] = message
    if post.campaign_id and post.campaign.brand_id != post.brand_id:
        errors["campaign"] = "Choose one of this brand's campaigns."
    if errors:
        raise ValidationError(errors)


def sniff_image(head: bytes) -> str | None:
    """The image type the first bytes announce (JPEG, PNG, GIF, WebP), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_size(head: bytes, content_type: str) -> tuple[int | None, int | None]:
    """Width and height from the header of a PNG or GIF (others: unknown)."""
    if content_type == "image/png" and len(head) >= 24:
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if content_type == "image/gif" and len(head) >= 10:
        return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    return None, None


def check_image(upload: UploadedFile) -> str:
    """The content type of an uploaded image, by its bytes (never its name); else a
    ValidationError saying what is wrong."""
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            f"“{upload.name}” is {upload.size / (1024 * 1024):.1f} MB; images can be at most 5 MB."
        )
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    content_type = sniff_image(head)
    if content_type is None:
        raise ValidationError(
            f"“{upload.name}” is not a JPEG, PNG, GIF or WebP image (checked by its content)."
        )
    return content_type


def _add_media(post: ContentPost, images: Iterable[UploadedFile]) -> list[PostMedia]:
    images = list(images)
    have = post.media.count() if post.pk else 0
    if have + len(images) > MAX_IMAGES:
        raise ValidationError({"images": f"A post can have at most {MAX_IMAGES} images."})
    added = []
    for position, upload in enumerate(images, start=have):
        try:
            content_type = check_image(upload)
        except ValidationError as exc:
            raise ValidationError({"images": exc.messages}) from exc
        upload.seek(0)
        width, height = _image_size(upload.read(32), content_type)
        upload.seek(0)
        added.append(
            PostMedia.objects.create(
                brand_id=post.brand_id,
                post=post,
                file=upload,
                content_type=content_type,
                size=upload.size,
                width=width,
                height=height,
                position=position,
            )
        )
    return added


@transaction.atomic
def post_create(
    *,
    actor: User,
    brand: Brand,
    account: SocialAccount,
    text: str,
    link: str = "",
    scheduled_at: datetime | None = None,
    campaign: Campaign | None = None,
    labels: Iterable[str] = (),
    images: Iterable[UploadedFile] = (),
) -> ContentPost:
    """A new draft on the calendar."""
    _require(actor, "content.draft", brand)
    post = ContentPost(
        brand=brand,
        account=account,
        campaign=campaign,
        text=text,
        link=link or "",
        scheduled_at=scheduled_at,
        labels=list(labels),
        author=actor,
    )
    _check_post(post)
    post.save()
    _add_media(post, images)
    _event(post, Kind.CREATED, actor=actor)
    _audit_post(post, AuditEvent.Action.POST_CREATED, actor=actor)
    return post


@transaction.atomic
def post_update(
    *,
    actor: User,
    post: ContentPost,
    images: Iterable[UploadedFile] = (),
    remove_media: Iterable[int] = (),
    **fields: Any,
) -> ContentPost:
    """Edit a post. A client never edits (only approves, asks for changes, comments);
    editing the content of an approved post sends it back to review."""
    if access.role_for(actor, post.brand) == access.CLIENT:
        raise PermissionDenied("Clients approve or request changes; they do not edit posts.")
    _require(actor, "content.draft", post.brand)
    post = _locked(post)
    _refuse(post, OPEN_STATUSES, "edited")
    before = {name: getattr(post, name) for name in POST_FIELDS}
    for name, value in fields.items():
        if name in POST_FIELDS:
            setattr(post, name, value)
    if "link" in fields:
        post.link = post.link or ""
    _check_post(post)
    changed = [
        name
        for name in CONTENT_FIELDS
        if name in fields and _key(before[name]) != _key(getattr(post, name))
    ]
    # Every field that changed, for the audit row (the content ones send it back to review).
    edited = [
        name
        for name in POST_FIELDS
        if name in fields and _key(before[name]) != _key(getattr(post, name))
    ]
    removed = list(post.media.filter(pk__in=list(remove_media)))
    for media in removed:
        media.file.delete(save=False)
        media.delete()
    added = _add_media(post, images)
    if removed or added:
        changed.append("media")
        edited.append("media")
    if "scheduled_at" in fields and before["scheduled_at"] != post.scheduled_at:
        _event(
            post,
            Kind.RESCHEDULED,
            actor=actor,
            old=_iso(before["scheduled_at"]),
            new=_iso(post.scheduled_at),
        )
    if changed and post.status in APPROVED_STATUSES:
        post.status = Status.IN_REVIEW
        _event(post, Kind.BACK_TO_REVIEW, actor=actor, changed=changed)
    elif post.status == Status.FAILED and changed:
        # A fix after a failure needs the review again too.
        post.status = Status.IN_REVIEW
        _event(post, Kind.BACK_TO_REVIEW, actor=actor, changed=changed)
    post.save()
    if edited:
        _audit_post(post, AuditEvent.Action.POST_UPDATED, actor=actor, changes=edited)
    return post


def _key(value: Any) -> Any:
    return getattr(value, "pk", value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _audit_post(post: ContentPost, action: str, *, actor: User | None, **detail: Any) -> None:
    """The audit row of a change to a post, named by the start of its text. The post's
    own history (PostEvent) tells it in detail; this row puts it in the brand's activity."""
    audit_record(
        agency=post.brand.agency,
        brand=post.brand,
        actor=actor,
        action=action,
        name=" ".join(str(post).split()),
        post_id=post.pk,
        **detail,
    )


@transaction.atomic
def post_submit(*, actor: User, post: ContentPost) -> ContentPost:
    """Draft (or changes requested) → in review."""
    _require(actor, "content.draft", post.brand)
    post = _locked(post)
    _refuse(post, (Status.DRAFT, Status.CHANGES_REQUESTED), "submitted for review")
    post.status = Status.IN_REVIEW
    post.save(update_fields=["status", "updated_at"])
    _event(post, Kind.SUBMITTED, actor=actor)
    _audit_post(post, AuditEvent.Action.POST_SUBMITTED, actor=actor)
    return post


@transaction.atomic
def post_approve(
    *,
    actor: User | None,
    post: ContentPost,
    link: ApprovalLink | None = None,
    comment: str = "",
) -> ContentPost:
    """In review → approved, by a member who may approve or through an approval link;
    with a time still ahead, straight on to scheduled."""
    _decider(actor, link, post)
    post = _locked(post)
    _refuse(post, (Status.IN_REVIEW,), "approved")
    post.status = Status.APPROVED
    _event(post, Kind.APPROVED, actor=actor, link=link, comment=comment.strip())
    if post.scheduled_at and post.scheduled_at > _now():
        post.status = Status.SCHEDULED
        _event(post, Kind.SCHEDULED, actor=actor, link=link, at=_iso(post.scheduled_at))
    post.save(update_fields=["status", "updated_at"])
    if comment.strip():
        _comment(post, comment, actor=actor, link=link)
    _audit_decision(post, AuditEvent.Action.POST_APPROVED, actor=actor, link=link)
    return post


@transaction.atomic
def post_request_changes(
    *,
    actor: User | None,
    post: ContentPost,
    comment: str,
    link: ApprovalLink | None = None,
) -> ContentPost:
    """In review → changes requested; the comment says what to change (required)."""
    _decider(actor, link, post)
    if not (comment or "").strip():
        raise ValidationError({"comment": "Say what should change."})
    post = _locked(post)
    _refuse(post, (Status.IN_REVIEW,), "sent back for changes")
    post.status = Status.CHANGES_REQUESTED
    post.save(update_fields=["status", "updated_at"])
    _event(post, Kind.CHANGES, actor=actor, link=link, comment=comment.strip())
    _comment(post, comment, actor=actor, link=link)
    _audit_decision(post, AuditEvent.Action.POST_CHANGES_REQUESTED, actor=actor, link=link)
    return post


def _audit_decision(
    post: ContentPost, action: str, *, actor: User | None, link: ApprovalLink | None
) -> None:
    """The audit row of a decision; one taken through an approval link names its
    recipient (there is no account to point at)."""
    via_link = {"via_link": link.recipient_name} if link is not None else {}
    audit_record(
        agency=post.brand.agency,
        brand=post.brand,
        actor=actor,
        action=action,
        name=" ".join(str(post).split()),
        post_id=post.pk,
        **via_link,
    )


def _decider(actor: User | None, link: ApprovalLink | None, post: ContentPost) -> None:
    if link is not None:
        if not link.is_valid or link.brand_id != post.brand_id:
            raise PermissionDenied("This approval link is no longer valid.")
        return
    if actor is None:
        raise PermissionDenied("A decision needs a person or an approval link.")
    _require(actor, "content.approve", post.brand)


@transaction.atomic
def post_schedule(
    *, actor: User, post: ContentPost, scheduled_at: datetime | None = None
) -> ContentPost:
    """Approved → scheduled at a time (the post's own time if none is given)."""
    _require(actor, "campaigns.manage", post.brand)
    post = _locked(post)
    _refuse(post, (Status.APPROVED,), "scheduled (it must be approved first)")
    when = scheduled_at or post.scheduled_at
    if when is None:
        raise ValidationError({"scheduled_at": "Give the date and time to publish at."})
    if when <= _now():
        raise ValidationError({"scheduled_at": "Choose a time in the future."})
    post.scheduled_at = when
    post.status = Status.SCHEDULED
    post.save(update_fields=["status", "scheduled_at", "updated_at"])
    _event(post, Kind.SCHEDULED, actor=actor, at=_iso(when))
    _audit_post(post, AuditEvent.Action.POST_SCHEDULED, actor=actor)
    return post


@transaction.atomic
def post_reschedule(*, actor: User, post: ContentPost, scheduled_at: datetime) -> ContentPost:
    """Move a post to another time; the status stays (a new time needs no new approval)."""
    _require(actor, "content.draft", post.brand)
    post = _locked(post)
    _refuse(post, OPEN_STATUSES, "rescheduled")
    if post.status in (Status.SCHEDULED, Status.READY) and scheduled_at <= _now():
        raise ValidationError({"scheduled_at": "Choose a time in the future."})
    old = post.scheduled_at
    post.scheduled_at = scheduled_at
    if post.status == Status.READY:
        post.status = Status.SCHEDULED
    post.save(update_fields=["scheduled_at", "status", "updated_at"])
    _event(post, Kind.RESCHEDULED, actor=actor, old=_iso(old), new=_iso(scheduled_at))
    if old != scheduled_at:
        _audit_post(post, AuditEvent.Action.POST_UPDATED, actor=actor, changes=["scheduled_at"])
    return post


def moved_to_date(post: ContentPost, day: date) -> datetime:
    """The post's time on another day, at the same local time of day in the brand's time
    zone (across a DST change the UTC offset changes, the wall-clock time does not)."""
    tz = _brand_tz(post.brand)
    if post.scheduled_at is None:
        local_time = time(9, 0)  # no time yet: 09:00 local
    else:
        local_time = post.scheduled_at.astimezone(tz).time()
    return datetime.combine(day, local_time, tzinfo=tz).astimezone(UTC)


def post_move_to_date(*, actor: User, post: ContentPost, day: date) -> ContentPost:
    """Drag-and-drop (or the "Move to date" form): another day, the same time of day."""
    return post_reschedule(actor=actor, post=post, scheduled_at=moved_to_date(post, day))


@transaction.atomic
def post_mark_published(*, actor: User, post: ContentPost, url: str) -> ContentPost:
    """A member posted it by hand (a channel we cannot publish to): record the URL."""
    _require(actor, "content.draft", post.brand)
    post = _locked(post)
    _refuse(
        post,
        (Status.READY, Status.SCHEDULED, Status.APPROVED, Status.FAILED),
        "marked as published (it needs approval first)",
    )
    if not (url or "").startswith(("https://", "http://")):
        raise ValidationError({"url": "Give the address of the published post (https://…)."})
    post.status = Status.PUBLISHED
    post.published_url = url
    post.published_at = _now()
    post.failure_reason = ""
    post.save()
    _event(post, Kind.PUBLISHED, actor=actor, url=url, by_hand=True)
    audit_record(
        agency=post.brand.agency,
        brand=post.brand,
        actor=actor,
        action=AuditEvent.Action.POST_MARKED_PUBLISHED,
        name=" ".join(str(post).split()),
        post_id=post.pk,
        url=url,
    )
    return post


@transaction.atomic
def post_cancel(*, actor: User, post: ContentPost, comment: str = "") -> ContentPost:
    """Take a post off the calendar (it stays in the list, cancelled)."""
    _require(actor, "content.draft", post.brand)
    post = _locked(post)
    _refuse(post, OPEN_STATUSES, "cancelled")
    post.status = Status.CANCELLED
    post.save(update_fields=["status", "updated_at"])
    _event(post, Kind.CANCELLED, actor=actor, comment=(comment or "").strip())
    _audit_post(post, AuditEvent.Action.POST_CANCELLED, actor=actor)
    return post


# -- comments --------------------------------------------------------------------------

_MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def mentioned_members(brand: Brand, text: str) -> list[User]:
    """Members named in ``text`` as ``@email`` or ``@Full Name`` (or ``@First``)."""
    lowered = text.lower()
    emails = {m.lower() for m in _MENTION.findall(text)}
    found = []
    for user in selectors.brand_people(brand):
        names = {user.get_full_name().strip().lower(), (user.first_name or "").strip().lower()}
        if user.email.lower() in emails or any(
            name and re.search(rf"@{re.escape(name)}\b", lowered) for name in names
        ):
            found.append(user)
    return found


def _comment(
    post: ContentPost, text: str, *, actor: User | None, link: ApprovalLink | None
) -> PostComment:
    comment = PostComment.objects.create(
        brand_id=post.brand_id, post=post, author=actor, approval_link=link, text=text.strip()
    )
    people = [u for u in mentioned_members(post.brand, comment.text) if u != actor]
    if people:
        comment.mentioned.set(people)
        who = actor.display_name if actor else f"{link.recipient_name} (approval link)"
        address = site_url(
            reverse("calendar:post_detail", kwargs={"brand_slug": post.brand.slug, "pk": post.pk})
        )
        recipients = [u.email for u in people]

        def notify() -> None:
            try:
                send_mail(
                    subject=f"[SocialHub] {who} mentioned you on a post of {post.brand.name}",
                    message=(
                        f"{who} wrote on “{post}”:\n\n{comment.text}\n\nOpen the post: {address}\n"
                    ),
                    from_email=None,
                    recipient_list=recipients,
                )
            except Exception:  # the comment is saved; a mail server hiccup must not undo it
                logger.exception("Could not email the people mentioned in comment %s", comment.pk)

        transaction.on_commit(notify)
    return comment


@transaction.atomic
def post_comment(
    *, actor: User | None, post: ContentPost, text: str, link: ApprovalLink | None = None
) -> PostComment:
    """A comment on a post; members named with ``@`` get an email."""
    if link is not None:
        if not link.is_valid or link.brand_id != post.brand_id:
            raise PermissionDenied("This approval link is no longer valid.")
    else:
        _require(actor, "content.comment", post.brand)
    if not (text or "").strip():
        raise ValidationError({"text": "Write a comment."})
    return _comment(post, text, actor=actor, link=link)


# -- approval links --------------------------------------------------------------------


@transaction.atomic
def approval_link_create(
    *,
    actor: User,
    brand: Brand,
    recipient_name: str,
    recipient_email: str,
    days: int = APPROVAL_LINK_DAYS,
) -> ApprovalLink:
    """A link for a client without an account, valid ``days`` days."""
    _require(actor, "campaigns.manage", brand)
    errors = {}
    if not (recipient_name or "").strip():
        errors["recipient_name"] = "Whom is the link for?"
    if not (recipient_email or "").strip():
        errors["recipient_email"] = "Give the recipient's email address."
    if not 1 <= int(days) <= 90:
        errors["days"] = "A link lasts between 1 and 90 days."
    if errors:
        raise ValidationError(errors)
    link = ApprovalLink.objects.create(
        brand=brand,
        recipient_name=recipient_name.strip(),
        recipient_email=recipient_email.strip(),
        created_by=actor,
        expires_at=_now() + timedelta(days=int(days)),
    )
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.APPROVAL_LINK_CREATED,
        target_email=link.recipient_email,
        name=link.recipient_name,
        days=int(days),
    )
    return link


@transaction.atomic
def approval_link_revoke(*, actor: User, link: ApprovalLink) -> ApprovalLink:
    """Revoke a link at once (the page it opens answers 403 from now on)."""
    _require(actor, "campaigns.manage", link.brand)
    if link.revoked_at is None:
        link.revoked_at = _now()
        link.save(update_fields=["revoked_at"])
        audit_record(
            agency=link.brand.agency,
            brand=link.brand,
            actor=actor,
            action=AuditEvent.Action.APPROVAL_LINK_REVOKED,
            target_email=link.recipient_email,
            name=link.recipient_name,
        )
    return link


def approval_link_touch(link: ApprovalLink) -> None:
    """Remember when the link was last opened."""
    ApprovalLink.objects.filter(pk=link.pk).update(last_used_at=_now())


# -- the iCalendar feed ----------------------------------------------------------------


@transaction.atomic
def calendar_feed_get_or_create(*, brand: Brand) -> CalendarFeed:
    """The brand's feed token (made on first use)."""
    feed, _ = CalendarFeed.objects.get_or_create(brand=brand)
    return feed


@transaction.atomic
def calendar_feed_rotate(*, actor: User, brand: Brand) -> CalendarFeed:
    """A new private token; the old address stops working."""
    _require(actor, "campaigns.manage", brand)
    CalendarFeed.objects.filter(brand=brand).delete()
    feed = CalendarFeed.objects.create(brand=brand)
    audit_record(
        agency=brand.agency, brand=brand, actor=actor, action=AuditEvent.Action.CALENDAR_FEED_RESET
    )
    return feed


# -- publishing (called by the tasks) --------------------------------------------------


@transaction.atomic
def post_mark_ready(*, post_id: int) -> bool:
    """A scheduled post on a channel without publishing: ready for a person to post."""
    post = ContentPost.objects.select_for_update().filter(pk=post_id).first()
    if post is None or post.status != Status.SCHEDULED:
        return False
    post.status = Status.READY
    post.save(update_fields=["status", "updated_at"])
    _event(
        post,
        Kind.SCHEDULED,
        comment="Due now: post it by hand, then mark it published with its address.",
        ready=True,
    )
    return True


@transaction.atomic
def post_start_publishing(*, post_id: int, retrying: bool = False) -> ContentPost | None:
    """Lock the post and move it to "publishing" if it is scheduled; else None (another
    worker has it, it was published already, or it was edited or cancelled). A retry
    (or a take-over of an attempt whose worker died, see STALE_PUBLISHING) continues a
    post already "publishing"."""
    post = (
        ContentPost.objects.select_for_update()
        .select_related("account", "brand")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        return None
    stale = post.updated_at < _now() - STALE_PUBLISHING
    if post.status == Status.PUBLISHING and not (retrying or stale):
        return None
    if post.status not in (Status.SCHEDULED, Status.PUBLISHING):
        return None
    post.status = Status.PUBLISHING
    post.publish_attempts += 1
    post.save(update_fields=["status", "publish_attempts", "updated_at"])
    return post


@transaction.atomic
def post_record_published(*, post_id: int, url: str, external_id: str) -> ContentPost | None:
    """The platform accepted the post: keep its address and id."""
    post = ContentPost.objects.select_for_update().filter(pk=post_id).first()
    if post is None or post.status != Status.PUBLISHING:
        return None
    post.status = Status.PUBLISHED
    post.published_url = url
    post.external_id = external_id
    post.published_at = _now()
    post.failure_reason = ""
    post.save()
    _event(post, Kind.PUBLISHED, url=url, external_id=external_id)
    return post


@transaction.atomic
def post_record_retry(*, post_id: int, reason: str) -> None:
    """A transient failure: the post stays "publishing" (so the every-minute sweep does
    not queue it again before its backoff) with the reason, until the retry runs."""
    post = ContentPost.objects.select_for_update().filter(pk=post_id).first()
    if post is not None and post.status == Status.PUBLISHING:
        post.failure_reason = f"Will try again: {reason}"
        post.save(update_fields=["failure_reason", "updated_at"])


@transaction.atomic
def post_record_failure(*, post_id: int, reason: str) -> ContentPost | None:
    """Publishing failed for good: say why."""
    post = ContentPost.objects.select_for_update().filter(pk=post_id).first()
    if post is None or post.status not in (Status.PUBLISHING, Status.SCHEDULED):
        return None
    post.status = Status.FAILED
    post.failure_reason = reason
    post.save(update_fields=["status", "failure_reason", "updated_at"])
    _event(post, Kind.FAILED, comment=reason)
    return post


# -- matching published posts to listening ----------------------------------------------


def link_mentions(mention_ids: list[int]) -> int:
    """Link published posts to the listening mentions that are them (same URL, or the
    same platform and id); returns how many posts were linked."""
    linked = 0
    for post_id, mention_id in selectors.published_post_matches(mention_ids):
        linked += ContentPost.objects.filter(pk=post_id, mention__isnull=True).update(
            mention_id=mention_id
        )
    return linked
