"""Writes of reviews, the adjust step: a review walks the checklist, keeps the KPIs as
they were when it was saved, and records decisions (keep / stop / change) with links
to what changed. Every write is one transaction: a bad decision saves nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date as Date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from campaigns.models import Campaign, ContentPost, Review, ReviewDecision
from campaigns.reviews.checklist import ANSWER_MAX_LENGTH, KEYS
from listening.models import Query
from socialhub.models import AuditEvent, User
from socialhub.services import audit_record

DECISION_FIELDS = ("id", "verdict", "subject", "note", "query", "posts", "links")
# What ``review_update`` changes on the review itself (the decisions apart).
REVIEW_FIELDS = ("date", "answers", "summary")
LINK_LABEL_MAX_LENGTH = 120
LINK_URL_MAX_LENGTH = 1000
MAX_LINKS = 20
MAX_DECISIONS = 50
_http_url = URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.")


# -- checks (shared by the forms and the API serializers) --------------------------------


def clean_answers(answers: Mapping[str, Any] | None) -> dict[str, str]:
    """The checklist answers, trimmed; unknown questions and overlong answers refused."""
    if answers is None:
        return {}
    if not isinstance(answers, Mapping):
        raise ValidationError({"answers": "Give the answers as {question key: text}."})
    unknown = sorted(set(answers) - set(KEYS))
    if unknown:
        raise ValidationError(
            {
                "answers": f"Unknown checklist question(s): {', '.join(unknown)}. "
                f"The questions are: {', '.join(KEYS)}."
            }
        )
    cleaned = {}
    for key in KEYS:
        value = answers.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValidationError({"answers": f"The answer to “{key}” must be text."})
        value = value.strip()
        if len(value) > ANSWER_MAX_LENGTH:
            raise ValidationError(
                {"answers": f"The answer to “{key}” is over {ANSWER_MAX_LENGTH} characters."}
            )
        if value:
            cleaned[key] = value
    return cleaned


def clean_links(links: Iterable[Any] | None) -> list[dict[str, str]]:
    """Links to what changed: ``[{"label", "url"}]`` with http(s) URLs; a missing label
    becomes the URL."""
    cleaned = []
    for n, link in enumerate(links or [], start=1):
        if not isinstance(link, Mapping):
            raise ValidationError(f"Link {n}: give a label and a URL.")
        label = str(link.get("label") or "").strip()
        url = str(link.get("url") or "").strip()
        if not url:
            raise ValidationError(f"Link {n}: the URL is missing.")
        if len(url) > LINK_URL_MAX_LENGTH:
            raise ValidationError(f"Link {n}: the URL is over {LINK_URL_MAX_LENGTH} characters.")
        try:
            _http_url(url)
        except ValidationError:
            raise ValidationError(
                f"Link {n}: “{url[:80]}” is not an http:// or https:// URL."
            ) from None
        if len(label) > LINK_LABEL_MAX_LENGTH:
            raise ValidationError(
                f"Link {n}: the label is over {LINK_LABEL_MAX_LENGTH} characters."
            )
        cleaned.append({"label": label or url, "url": url})
    if len(cleaned) > MAX_LINKS:
        raise ValidationError(f"At most {MAX_LINKS} links per decision.")
    return cleaned


def decision_errors(campaign: Campaign, data: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with one decision, by field (empty: nothing). The query must be
    one of the brand's, the posts the campaign's."""
    errors: dict[str, str] = {}
    if data.get("verdict") not in ReviewDecision.Verdict.values:
        errors["verdict"] = "Choose keep, stop or change."
    subject = str(data.get("subject") or "").strip()
    if not subject:
        errors["subject"] = "Say what the decision is about."
    elif len(subject) > 200:
        errors["subject"] = "Keep the subject under 200 characters."
    query = data.get("query")
    if query is not None and (not isinstance(query, Query) or query.brand_id != campaign.brand_id):
        errors["query"] = f"Choose one of {campaign.brand.name}'s listening queries."
    posts = list(data.get("posts") or [])
    strangers = [p for p in posts if not isinstance(p, ContentPost) or p.campaign_id != campaign.pk]
    if strangers:
        errors["posts"] = "Choose posts of this campaign."
    try:
        clean_links(data.get("links"))
    except ValidationError as exc:
        errors["links"] = " ".join(exc.messages)
    return errors


def _today(campaign: Campaign) -> Date:
    return datetime.now(ZoneInfo(campaign.brand.timezone)).date()


def kpi_snapshot(campaign: Campaign) -> list[dict[str, Any]]:
    """The campaign's KPIs now, as JSON (what a review keeps)."""
    from campaigns import kpis

    return [result.as_dict() for result in kpis.evaluate(campaign)]


# -- writes ------------------------------------------------------------------------------


def _write_decisions(
    review: Review, decisions: list[Mapping[str, Any]]
) -> list[tuple[ReviewDecision, str | None]]:
    """Make the review's decisions exactly ``decisions``: items with an ``id`` of one of
    its decisions change it, others are new, decisions not listed are removed. Returns
    the decisions taken here (new, or with another verdict or subject), each with the
    verdict it had before when that changed (else None)."""
    campaign = review.campaign
    existing = {d.pk: d for d in review.decisions.all()} if review.pk else {}
    problems: list[str] = []
    cleaned = []
    for n, data in enumerate(decisions, start=1):
        unknown = set(data) - set(DECISION_FIELDS)
        if unknown:
            raise TypeError(f"Unknown decision fields: {sorted(unknown)}")
        errors = decision_errors(campaign, data)
        pk = data.get("id")
        if pk is not None and pk not in existing:
            errors["id"] = "Not a decision of this review."
        for name, message in errors.items():
            problems.append(f"Decision {n}, {name}: {message}")
        cleaned.append(data)
    if len(decisions) > MAX_DECISIONS:
        problems.append(f"At most {MAX_DECISIONS} decisions per review.")
    if problems:
        raise ValidationError({"decisions": problems})
    keep = {data.get("id") for data in cleaned if data.get("id") is not None}
    for pk, decision in existing.items():
        if pk not in keep:
            decision.delete()
    taken: list[tuple[ReviewDecision, str | None]] = []
    for data in cleaned:
        pk = data.get("id")
        decision = existing[pk] if pk is not None else ReviewDecision(brand=review.brand)
        was = (decision.verdict, decision.subject) if pk is not None else None
        decision.review = review
        decision.verdict = data["verdict"]
        decision.subject = str(data["subject"]).strip()
        decision.note = str(data.get("note") or "").strip()
        decision.query = data.get("query")
        decision.links = clean_links(data.get("links"))
        decision.save()
        decision.posts.set(list(data.get("posts") or []))
        if was != (decision.verdict, decision.subject):
            old_verdict = was[0] if was and was[0] != decision.verdict else None
            taken.append((decision, old_verdict))
    return taken


def _audit_decisions(
    review: Review, actor: User | None, taken: list[tuple[ReviewDecision, str | None]]
) -> None:
    """One audit row per decision taken, in the transaction of the review."""
    for decision, old_verdict in taken:
        audit_record(
            agency=review.brand.agency,
            brand=review.brand,
            actor=actor,
            action=AuditEvent.Action.REVIEW_DECISION_RECORDED,
            name=decision.subject,
            campaign=review.campaign.name,
            field="verdict",
            **{"from": old_verdict, "to": decision.verdict},
        )


@transaction.atomic
def review_create(
    *,
    actor: User | None,
    campaign: Campaign,
    date: Date | None = None,
    answers: Mapping[str, Any] | None = None,
    summary: str = "",
    decisions: Iterable[Mapping[str, Any]] = (),
) -> Review:
    """A new review of the campaign, with the KPI snapshot of this moment attached."""
    review = Review(
        brand=campaign.brand,
        campaign=campaign,
        date=date or _today(campaign),
        author=actor,
        answers=clean_answers(answers),
        summary=(summary or "").strip(),
    )
    review.full_clean(exclude=["kpi_snapshot", "author"])
    review.kpi_snapshot = kpi_snapshot(campaign)
    review.save()
    taken = _write_decisions(review, list(decisions))
    audit_record(
        agency=campaign.brand.agency,
        brand=campaign.brand,
        actor=actor,
        action=AuditEvent.Action.REVIEW_COMPLETED,
        name=review.date.isoformat(),
        campaign=campaign.name,
        decisions=len(taken),
    )
    _audit_decisions(review, actor, taken)
    return review


@transaction.atomic
def review_update(
    *,
    actor: User | None,
    review: Review,
    date: Date | None = None,
    answers: Mapping[str, Any] | None = None,
    summary: str | None = None,
    decisions: Iterable[Mapping[str, Any]] | None = None,
) -> Review:
    """Change a review. Its KPI snapshot stays as it was when it was saved; decisions,
    when given, are the full new list (each one taken is audited on its own)."""
    before = {name: getattr(review, name) for name in REVIEW_FIELDS}
    if date is not None:
        review.date = date
    if answers is not None:
        review.answers = clean_answers(answers)
    if summary is not None:
        review.summary = summary.strip()
    review.full_clean(exclude=["kpi_snapshot", "author"])
    review.save()
    changes = [name for name in REVIEW_FIELDS if getattr(review, name) != before[name]]
    if changes:
        audit_record(
            agency=review.brand.agency,
            brand=review.brand,
            actor=actor,
            action=AuditEvent.Action.REVIEW_UPDATED,
            name=review.date.isoformat(),
            campaign=review.campaign.name,
            changes=changes,
        )
    if decisions is not None:
        _audit_decisions(review, actor, _write_decisions(review, list(decisions)))
    return review


@transaction.atomic
def review_delete(*, actor: User | None, review: Review) -> None:
    """Remove a review and its decisions."""
    audit_record(
        agency=review.brand.agency,
        brand=review.brand,
        actor=actor,
        action=AuditEvent.Action.REVIEW_DELETED,
        name=review.date.isoformat(),
        campaign=review.campaign.name,
    )
    review.delete()
