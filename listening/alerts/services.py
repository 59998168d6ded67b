"""Writes of the alerts app: rules, incidents (evaluation), acknowledgement, read state,
and the email that tells the chosen members."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode

from listening.alerts import detectors, selectors
from listening.alerts.models import Alert, AlertKind, AlertRead, AlertRule
from listening.models import Query
from listening.reports.selectors import brand_zone
from socialhub.models import AuditEvent, Brand, User
from socialhub.selectors import site_url
from socialhub.services import audit_record

logger = logging.getLogger(__name__)

RULE_FIELDS = (
    "name",
    "kind",
    "query",
    "method",
    "threshold",
    "min_count",
    "keyword",
    "window_hours",
    "baseline_days",
    "cooldown_hours",
    "is_active",
)


def _now() -> datetime:
    return datetime.now(UTC)


# -- rules -----------------------------------------------------------------------------


def _check_rule(rule: AlertRule, recipients: Iterable[User] | None) -> list[User] | None:
    """The rule's own checks plus the ones that need the brand: a unique name, a query
    and recipients of this brand. Errors name the field."""
    errors: dict[str, str] = {}
    rule.name = (rule.name or "").strip()
    rule.keyword = (rule.keyword or "").strip()
    taken = AlertRule.objects.filter(brand=rule.brand, name__iexact=rule.name)
    if rule.pk:
        taken = taken.exclude(pk=rule.pk)
    if rule.name and taken.exists():
        errors["name"] = "Another alert rule of this brand has this name."
    if rule.query_id and not Query.objects.filter(pk=rule.query_id, brand=rule.brand).exists():
        errors["query"] = "Choose one of this brand's queries."
    people = None
    if recipients is not None:
        people = list(recipients)
        allowed = set(selectors.alert_recipient_choices(rule.brand).values_list("pk", flat=True))
        strangers = [p.email for p in people if p.pk not in allowed]
        if strangers:
            errors["recipients"] = (
                f"Only people who hold a role in {rule.brand.name} can be emailed: "
                + ", ".join(strangers)
            )
    try:
        rule.full_clean(exclude=["recipients"], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ValidationError(errors)
    return people


@transaction.atomic
def alert_rule_create(
    *,
    actor: User,
    brand: Brand,
    recipients: Iterable[User] = (),
    **fields: Any,
) -> AlertRule:
    """A new alert rule of the brand, evaluated from the next batch or schedule on."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown alert rule fields: {sorted(unknown)}")
    rule = AlertRule(brand=brand, **fields)
    people = _check_rule(rule, recipients)
    rule.save()
    rule.recipients.set(people or [])
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.ALERT_RULE_CREATED,
        name=rule.name,
        kind=rule.kind,
    )
    return rule


@transaction.atomic
def alert_rule_update(
    *,
    actor: User,
    rule: AlertRule,
    recipients: Iterable[User] | None = None,
    **fields: Any,
) -> AlertRule:
    """Change a rule. Its open incident stays open; the new settings apply from the next
    evaluation."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown alert rule fields: {sorted(unknown)}")
    # Compare with what is stored, not with ``rule``: a bound ModelForm may already
    # have written the new values onto the instance it was given.
    stored = (
        AlertRule.objects.select_for_update(of=("self",))
        .select_related("brand__agency")
        .get(pk=rule.pk)
    )
    for name, value in fields.items():
        setattr(rule, name, value)
    people = _check_rule(rule, recipients)
    rule.save()
    attnames = {name: AlertRule._meta.get_field(name).attname for name in fields}
    changes = [
        name
        for name, attname in attnames.items()
        if getattr(rule, attname) != getattr(stored, attname)
    ]
    if people is not None:
        before = set(stored.recipients.values_list("pk", flat=True))
        if before != {person.pk for person in people}:
            changes.append("recipients")
        rule.recipients.set(people)
    if changes:
        audit_record(
            agency=stored.brand.agency,
            brand=stored.brand,
            actor=actor,
            action=AuditEvent.Action.ALERT_RULE_UPDATED,
            name=rule.name,
            kind=rule.kind,
            changes=changes,
        )
    return rule


@transaction.atomic
def alert_rule_delete(*, actor: User, rule: AlertRule) -> None:
    """Remove a rule and the history of its alerts."""
    brand, name, kind = rule.brand, rule.name, rule.kind
    rule.delete()
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.ALERT_RULE_DELETED,
        name=name,
        kind=kind,
    )


# -- evaluation ------------------------------------------------------------------------


def _observe(
    rule: AlertRule, now: datetime, mention_ids: list[int] | None
) -> list[detectors.Observation] | None:
    """The rule's observations, or None when a batch gave nothing to decide on."""
    if rule.kind == AlertKind.VOLUME_SPIKE:
        return [detectors.volume_spike(rule, now)]
    if rule.kind == AlertKind.NEGATIVE_SHARE:
        return [detectors.negative_share(rule, now)]
    if rule.kind in (AlertKind.INFLUENCER, AlertKind.KEYWORD):
        observation = detectors.mention_rule(rule, now, mention_ids)
        return None if observation is None else [observation]
    if rule.kind == AlertKind.EMERGING_TERM:
        # Terms are counted per day by the insights app after the batch: the schedule
        # looks at them, a single batch does not.
        if mention_ids is not None:
            return None
        return [detectors.emerging_term(rule, now)]
    return None


@transaction.atomic
def alert_rule_evaluate(
    *,
    rule: AlertRule,
    now: datetime | None = None,
    mention_ids: list[int] | None = None,
    notify: bool = True,
) -> list[Alert]:
    """Evaluate one rule at ``now`` and open, keep or clear its incidents.

    One alert per incident: while the condition holds, its open alert stands and nothing
    repeats; when the condition stops holding the incident clears, and the next time it
    holds a new alert fires. An incident that lasts longer than the rule's cool-down
    fires again (the old one is cleared), so a long crisis is not forgotten.
    ``mention_ids``: the batch that triggered the evaluation (None on the schedule).
    Returns the alerts it fired; emails their recipients once the transaction commits.
    """
    now = now or _now()
    # Locked: a batch and the schedule evaluating the same rule at once fire once.
    rule = (
        AlertRule.objects.select_for_update(of=("self",))
        .select_related("query", "brand")
        .get(pk=rule.pk)
    )
    observations = _observe(rule, now, mention_ids)
    AlertRule.objects.filter(pk=rule.pk).update(last_evaluated_at=now)
    if observations is None:
        return []
    open_by_key = {a.incident_key: a for a in rule.alerts.filter(cleared_at__isnull=True)}
    fired: list[Alert] = []
    cooldown = timedelta(hours=rule.cooldown_hours)
    for obs in observations:
        current = open_by_key.pop(obs.key, None)
        if not obs.holds:
            if current is not None:
                current.cleared_at = now
                current.save(update_fields=["cleared_at"])
            continue
        if current is not None:
            if now < current.fired_at + cooldown:
                continue  # the same incident, still going: no repeat
            current.cleared_at = now
            current.save(update_fields=["cleared_at"])
        fired.append(
            Alert.objects.create(
                brand_id=rule.brand_id,
                rule=rule,
                kind=rule.kind,
                incident_key=obs.key,
                fired_at=now,
                window_start=obs.window_start,
                window_end=obs.window_end,
                baseline_start=obs.baseline_start,
                baseline_end=obs.baseline_end,
                baseline_value=obs.baseline,
                threshold=obs.threshold,
                observed_value=obs.observed,
                mention_count=obs.mention_count,
                explanation=obs.explanation,
                link_params=obs.link_params,
            )
        )
    if fired and notify:
        ids = [a.pk for a in fired]
        transaction.on_commit(lambda: alerts_email(alert_ids=ids))
    return fired


def brand_alerts_evaluate(
    *, brand_id: int, now: datetime | None = None, mention_ids: list[int] | None = None
) -> list[Alert]:
    """Evaluate every active rule of a brand (a failing rule is logged, not fatal)."""
    fired: list[Alert] = []
    rules = AlertRule.objects.filter(
        brand_id=brand_id, is_active=True, brand__archived_at__isnull=True
    )
    for rule in rules:
        try:
            fired += alert_rule_evaluate(rule=rule, now=now, mention_ids=mention_ids)
        except Exception:
            logger.exception("Alert rule %s could not be evaluated", rule.pk)
    return fired


def alerts_replay(
    *, rule: AlertRule, start: datetime, end: datetime, step: timedelta = timedelta(hours=1)
) -> list[Alert]:
    """Evaluate a rule as if the schedule had run every ``step`` from ``start`` to
    ``end`` (the demo's recent past), without email."""
    fired: list[Alert] = []
    moment = start
    while moment <= end:
        fired += alert_rule_evaluate(rule=rule, now=moment, notify=False)
        moment += step
    return fired


# -- delivery --------------------------------------------------------------------------


def alert_url(alert: Alert) -> str:
    return site_url(
        reverse("alerts:alert_detail", kwargs={"brand_slug": alert.brand.slug, "pk": alert.pk})
    )


# The order of the mention stream's filters in a link (PostgreSQL's jsonb keeps no order).
_LINK_ORDER = ("days", "start", "end", "query", "platform", "sentiment", "lang", "q")


def mentions_url(alert: Alert) -> str:
    """The mention stream filtered to the mentions behind the alert."""
    path = reverse("listening:mention_list", kwargs={"brand_slug": alert.brand.slug})
    if not alert.link_params:
        return path
    params = sorted(
        alert.link_params.items(),
        key=lambda kv: (_LINK_ORDER.index(kv[0]) if kv[0] in _LINK_ORDER else 99, kv[0]),
    )
    return f"{path}?{urlencode(params)}"


def alerts_email(*, alert_ids: list[int]) -> int:
    """Email each alert to its rule's chosen recipients who still hold a role in the
    brand: plain text, the explanation and two links. Returns the emails sent."""
    alerts = Alert.objects.filter(pk__in=alert_ids).select_related("rule", "brand")
    messages = []
    for alert in alerts:
        allowed = selectors.alert_recipient_choices(alert.brand)
        people = alert.rule.recipients.filter(pk__in=allowed.values("pk"), is_active=True)
        fired = alert.fired_at.astimezone(brand_zone(alert.brand))
        body = (
            f"{alert.rule.name} ({alert.get_kind_display()}) fired for {alert.brand.name} "
            f"at {fired:%d %b %Y %H:%M %Z}.\n\n"
            f"{alert.explanation}\n\n"
            f"The mentions behind it: {site_url(mentions_url(alert))}\n"
            f"Acknowledge it: {alert_url(alert)}\n\n"
            f"You get this email because you are a recipient of this alert rule."
        )
        subject = f"[{alert.brand.name}] Alert: {alert.rule.name}"
        for person in people:
            messages.append(
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
            )
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


# -- people ----------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    """Someone has seen to the alert. Acknowledging twice keeps the first."""
    if alert.acknowledged_at is None:
        alert.acknowledged_by = actor
        alert.acknowledged_at = _now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
    alerts_mark_read(actor=actor, alerts=[alert])
    return alert


def alerts_mark_read(*, actor: User, alerts: Iterable[Alert]) -> int:
    """Mark alerts as seen by ``actor`` (for the bell); already-read ones are skipped."""
    rows = [AlertRead(brand_id=a.brand_id, alert=a, user=actor) for a in alerts]
    if not rows:
        return 0
    AlertRead.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def alerts_mark_all_read(*, actor: User, brand: Brand) -> int:
    """Every alert of the brand seen by ``actor``."""
    unread = selectors.unread_alerts(actor).filter(brand=brand)
    return alerts_mark_read(actor=actor, alerts=list(unread.only("id", "brand_id")))
