"""The alerts part of ``manage.py seed_demo``: rules for each demo brand, then the rules
evaluated over the recent past as the schedule would have, so the planted "#<slug>cap"
spike of the listening demo has fired an alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from listening.alerts import selectors, services
from listening.alerts.models import Alert, AlertKind, AlertRule
from socialhub.models import Brand, User

# How far back the seed replays the schedule, and how often.
REPLAY_DAYS = 7


def _rules(brand: Brand) -> list[dict]:
    return [
        {
            "name": "Volume spike",
            "kind": AlertKind.VOLUME_SPIKE,
            "method": AlertRule.Method.RATIO,
            "threshold": 2.5,
            "min_count": 20,
            "window_hours": 6,
            "baseline_days": 7,
            "cooldown_hours": 24,
        },
        {
            "name": "Negative share above 60%",
            "kind": AlertKind.NEGATIVE_SHARE,
            "threshold": 60,
            "min_count": 20,
            "window_hours": 24,
            "baseline_days": 14,
        },
        {
            "name": "Mention by a big account",
            "kind": AlertKind.INFLUENCER,
            "threshold": 50_000,
            "min_count": 1,
            "window_hours": 24,
        },
        {
            "name": "New emerging term",
            "kind": AlertKind.EMERGING_TERM,
            "threshold": 2.0,
            "min_count": 20,
            "window_hours": 24,
            "baseline_days": 14,
            "cooldown_hours": 72,
        },
        {
            "name": "Injury reports",
            "kind": AlertKind.KEYWORD,
            "keyword": "cut my hand",
            "min_count": 5,
            "window_hours": 12,
            "cooldown_hours": 48,
        },
    ]


def seed(*, brands: dict[str, Brand], actor: User, stdout) -> None:
    """Idempotent: a brand that already has alert rules keeps what it has."""
    now = datetime.now(UTC)
    for brand in brands.values():
        if AlertRule.objects.filter(brand=brand).exists():
            continue
        # The brand's leads get the emails; everyone sees the bell.
        recipients = [
            u
            for u in selectors.alert_recipient_choices(brand)
            if u.brand_memberships.filter(brand=brand, role="manager").exists()
        ]
        rules = [
            services.alert_rule_create(actor=actor, brand=brand, recipients=recipients, **fields)
            for fields in _rules(brand)
        ]
        for rule in rules:
            # Emerging terms are counted per day: replay them daily, the rest hourly.
            daily = rule.kind == AlertKind.EMERGING_TERM
            try:
                services.alerts_replay(
                    rule=rule,
                    start=now - timedelta(days=REPLAY_DAYS),
                    end=now,
                    step=timedelta(days=1) if daily else timedelta(hours=1),
                )
            except Exception as exc:  # the demo goes on without that rule's history
                stdout.write(f"  {brand.name}: {rule.name} could not be replayed ({exc})")
        count = Alert.objects.filter(brand=brand).count()
        stdout.write(f"  {brand.name}: {len(rules)} alert rules, {count} alerts from the last week")
