"""Writes of the reports app: digest opt-in, the weekly send (at most once a week per
person) and the preview a member sends themself."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats

from listening.reports import selectors
from listening.reports.models import DigestSubscription
from socialhub import access
from socialhub.models import Brand, User
from socialhub.selectors import site_url

logger = logging.getLogger(__name__)


@transaction.atomic
def digest_subscription_set(*, actor: User, brand: Brand, subscribed: bool) -> DigestSubscription:
    """Opt ``actor`` in to (or out of) the brand's weekly digest. Anyone who holds a role
    in the brand may; the row keeps the week last sent, so opting out and back in during
    a week never sends that week's digest twice."""
    if access.role_for(actor, brand) is None:
        raise ValidationError("You hold no role in this brand.")
    subscription, _ = DigestSubscription.objects.select_for_update().get_or_create(
        brand=brand, user=actor, defaults={"is_active": subscribed}
    )
    if subscription.is_active != subscribed:
        subscription.is_active = subscribed
        subscription.save(update_fields=["is_active", "updated_at"])
    return subscription


def digest_message(digest: selectors.Digest, user: User, *, preview: bool = False):
    """The digest email for ``user``: plain text with an HTML alternative."""
    brand = digest.brand
    slug = {"brand_slug": brand.slug}
    stream = reverse("listening:mention_list", kwargs=slug)
    week = f"start={digest.first_day.isoformat()}&end={digest.last_day.isoformat()}"
    context = {
        "digest": digest,
        "brand": brand,
        "user": user,
        "preview": preview,
        "site_url": site_url(""),
        "week_label": (
            f"{formats.date_format(digest.first_day, 'M j')} – "
            f"{formats.date_format(digest.last_day, 'M j, Y')}"
        ),
        "stream_url": site_url(f"{stream}?{week}"),
        "settings_url": site_url(reverse("reports:digest_settings", kwargs=slug)),
    }
    subject = f"[SocialHub] {brand.name}: your week in listening, {context['week_label']}"
    if preview:
        subject = f"[Preview] {subject}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("reports/email/digest.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("reports/email/digest.html", context), "text/html")
    return message


def digest_send_preview(*, actor: User, brand: Brand, now: datetime | None = None) -> date:
    """Send ``actor`` the brand's latest digest now (their own address only; it does not
    count as the week's send). Returns the Monday of the digest's week."""
    if access.role_for(actor, brand) is None:
        raise ValidationError("You hold no role in this brand.")
    week_of = selectors.digest_week_of(brand, now or datetime.now(UTC))
    message = digest_message(selectors.brand_digest(brand, week_of), actor, preview=True)
    transaction.on_commit(message.send)
    return week_of


def digest_send_week(
    *, actor: User | None = None, brand: Brand, week_of: date, now: datetime | None = None
) -> int:
    """Send the digest of ``week_of`` to every subscriber of ``brand`` who has not had it.

    Each person is claimed with one conditional UPDATE before their email is queued, so
    a task run twice (or two workers at once) sends nobody the same week twice. Returns
    the number of emails queued.
    """
    now = now or datetime.now(UTC)
    due = selectors.digest_recipients_due(brand, week_of)
    if not due:
        return 0
    digest = selectors.brand_digest(brand, week_of)
    sent = 0
    for subscription in due:
        with transaction.atomic():
            claimed = (
                DigestSubscription.objects.filter(pk=subscription.pk, is_active=True)
                .filter(Q(last_sent_week__isnull=True) | Q(last_sent_week__lt=week_of))
                .update(last_sent_week=week_of, last_sent_at=now)
            )
            if not claimed:
                continue
            message = digest_message(digest, subscription.user)
            # robust: one bad address must not stop the others' emails.
            transaction.on_commit(message.send, robust=True)
            sent += 1
    logger.info("digest of %s for %s: %d sent", brand.slug, week_of, sent)
    return sent
