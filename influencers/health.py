"""Relationship health, from listening: what the influencer has been saying about the brand.

For each relationship: the mean sentiment score (−1 … 1, the brand's own score of each
mention, hand corrections included) of the influencer's mentions of the brand over the
last ``WINDOW_DAYS`` days (``health_score``) against the ``WINDOW_DAYS`` days before
(``health_previous``), and the trend between them.

An **active** or **ambassador** relationship *turns negative* when, with at least
``MIN_MENTIONS`` recent mentions, the mean is below ``NEGATIVE_BELOW`` or has dropped by
more than ``DROP_BEYOND`` since the previous window. It then suggests the stage "at
risk" and tells the relationship's owner (an in-app ``HealthAlert``, and an email) once:
no new alert while one is open. Run daily for every brand (``tasks.health_check_all``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Avg, Count

from influencers import selectors
from influencers.models import HealthAlert, Relationship, Stage, Trend
from socialhub.selectors import site_url

logger = logging.getLogger(__name__)

WINDOW_DAYS = 30
MIN_MENTIONS = 2
NEGATIVE_BELOW = -0.2
DROP_BEYOND = 0.4
# A change in the mean smaller than this is "steady".
TREND_STEP = 0.1
WATCHED = (Stage.ACTIVE, Stage.AMBASSADOR)


@dataclass
class Health:
    score: float | None
    previous: float | None
    mentions: int
    trend: str

    @property
    def turned_negative(self) -> bool:
        if self.score is None or self.mentions < MIN_MENTIONS:
            return False
        if self.score < NEGATIVE_BELOW:
            return True
        return self.previous is not None and self.previous - self.score > DROP_BEYOND


def _window(relationship: Relationship, start: datetime, end: datetime) -> tuple[float | None, int]:
    author_ids = selectors.influencer_author_ids(relationship.influencer)
    if not author_ids:
        return None, 0
    row = selectors.influencer_mentions(
        relationship.brand_id, author_ids, start=start, end=end
    ).aggregate(mean=Avg("sentiment_score"), n=Count("id"))
    return row["mean"], row["n"]


def measure(relationship: Relationship, *, now: datetime | None = None) -> Health:
    """The relationship's health now: the two windows' means and the trend."""
    now = now or datetime.now(UTC)
    window = timedelta(days=WINDOW_DAYS)
    score, count = _window(relationship, now - window, now)
    previous, _ = _window(relationship, now - 2 * window, now - window)
    trend = Trend.NONE
    if score is not None and previous is not None:
        if score - previous > TREND_STEP:
            trend = Trend.UP
        elif previous - score > TREND_STEP:
            trend = Trend.DOWN
        else:
            trend = Trend.FLAT
    return Health(score=score, previous=previous, mentions=count, trend=trend)


def _explain(relationship: Relationship, health: Health) -> str:
    name = relationship.influencer.name
    text = (
        f"{name}'s {health.mentions} mentions of {relationship.brand.name} in the last "
        f"{WINDOW_DAYS} days average a sentiment of {health.score:+.2f}"
    )
    if health.previous is not None:
        text += f", against {health.previous:+.2f} in the {WINDOW_DAYS} days before"
    stage = relationship.get_stage_display().lower()
    return f"{text}. {name} is {stage}: consider moving them to at risk."


@transaction.atomic
def relationship_health_check(
    *, relationship: Relationship, now: datetime | None = None
) -> HealthAlert | None:
    """Measure one relationship and store it; raise an alert (and suggest "at risk")
    when an active influencer or ambassador turns negative. Returns the new alert."""
    now = now or datetime.now(UTC)
    health = measure(relationship, now=now)
    relationship.health_score = health.score
    relationship.health_previous = health.previous
    relationship.health_mentions = health.mentions
    relationship.health_trend = health.trend
    relationship.health_checked_at = now
    alert = None
    if relationship.stage in WATCHED and health.turned_negative:
        relationship.suggested_stage = Stage.AT_RISK
        already = HealthAlert.objects.filter(
            relationship=relationship, resolved_at__isnull=True
        ).exists()
        if not already:
            alert = HealthAlert.objects.create(
                brand_id=relationship.brand_id,
                relationship=relationship,
                recipient=relationship.owner,
                score=health.score,
                previous=health.previous,
                explanation=_explain(relationship, health),
                fired_at=now,
            )
            transaction.on_commit(lambda: _email(alert.pk))
    elif relationship.suggested_stage == Stage.AT_RISK and not health.turned_negative:
        # Recovered before anyone acted: drop the suggestion and close the alert.
        relationship.suggested_stage = ""
        HealthAlert.objects.filter(relationship=relationship, resolved_at__isnull=True).update(
            resolved_at=now
        )
    relationship.save()
    return alert


def _email(alert_id: int) -> None:
    alert = (
        HealthAlert.objects.select_related("recipient", "relationship__brand")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or alert.recipient is None or not alert.recipient.email:
        return
    brand = alert.relationship.brand
    link = site_url(alert.relationship.get_absolute_url())
    try:
        send_mail(
            f"[{brand.name}] {alert.relationship.influencer.name} is turning negative",
            f"{alert.explanation}\n\n{link}\n",
            settings.DEFAULT_FROM_EMAIL,
            [alert.recipient.email],
        )
    except Exception:  # an email failure must not undo the alert
        logger.exception("Could not email health alert %s", alert_id)


def brand_health_check(*, brand_id: int, now: datetime | None = None) -> int:
    """Check every relationship of one brand; returns how many alerts were raised."""
    raised = 0
    relationships = (
        Relationship.objects.filter(brand_id=brand_id)
        .select_related("influencer", "brand", "owner")
        .prefetch_related("influencer__profiles")
    )
    for relationship in relationships:
        if relationship_health_check(relationship=relationship, now=now) is not None:
            raised += 1
    return raised
