"""Writes of the influencers app: the directory (influencers, profiles), relationships
(open, edit, move through the pipeline), interactions, and linking profiles to the
listening Authors with the same platform and handle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.timezone import now

from campaigns.models import Campaign
from campaigns.services import CURRENCIES
from influencers.models import (
    Collaboration,
    ContentLink,
    Deliverable,
    HealthAlert,
    Influencer,
    InfluencerPlatform,
    InfluencerProfile,
    Interaction,
    Relationship,
    Stage,
)
from listening.models import Author, Mention, Platform
from socialhub import access
from socialhub.models import Agency, AuditEvent, Brand, User
from socialhub.services import audit_record

INFLUENCER_FIELDS = ("name", "topics", "languages", "region", "email", "phone", "tags", "notes")
LISTENING_PLATFORMS = frozenset(Platform.values)


def clean_handle(handle: str) -> str:
    """A handle as stored: trimmed, without the leading @."""
    return (handle or "").strip().lstrip("@").strip()


def clean_list(values: Iterable[str] | str | None) -> list[str]:
    """Tags, topics, languages: trimmed, de-duplicated, in order; a string splits on commas."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    seen: dict[str, None] = {}
    for value in values:
        text = str(value).strip()
        if text and text.lower() not in {s.lower() for s in seen}:
            seen[text] = None
    return list(seen)


def profile_duplicate(
    *, agency: Agency, platform: str, handle: str, exclude_pk: int | None = None
) -> InfluencerProfile | None:
    """The profile of ``agency``'s directory with this platform and handle (any case)."""
    qs = InfluencerProfile.objects.filter(
        agency=agency, platform=platform, handle__iexact=clean_handle(handle)
    ).select_related("influencer")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def duplicate_error(existing: InfluencerProfile) -> ValidationError:
    """The refusal of a duplicate handle, naming (and linking) the influencer who has it."""
    influencer = existing.influencer
    return ValidationError(
        {
            "handle": ValidationError(
                "@%(handle)s on %(platform)s is already in the directory: %(name)s (%(url)s).",
                code="duplicate",
                params={
                    "handle": existing.handle,
                    "platform": existing.get_platform_display(),
                    "name": influencer.name,
                    "url": influencer.get_absolute_url(),
                    "influencer_id": influencer.pk,
                },
            )
        }
    )


def _author_for(platform: str, handle: str) -> Author | None:
    if platform not in LISTENING_PLATFORMS:
        return None
    return Author.objects.filter(platform=platform, handle__iexact=handle).first()


def _refresh_followers(influencer: Influencer) -> None:
    counts = [p.followers or 0 for p in influencer.profiles.all()]
    influencer.max_followers = max(counts, default=0)
    influencer.save(update_fields=["max_followers", "updated_at"])


def _check_influencer(fields: dict[str, Any]) -> dict[str, Any]:
    data = {k: fields.get(k) for k in INFLUENCER_FIELDS if k in fields}
    for key in ("topics", "tags"):
        if key in data:
            data[key] = clean_list(data[key])
    if "languages" in data:
        data["languages"] = [lang.lower() for lang in clean_list(data["languages"])]
        bad = [lang for lang in data["languages"] if len(lang) != 2 or not lang.isalpha()]
        if bad:
            raise ValidationError(
                {"languages": f"Use two-letter language codes (en, de, zh), not {', '.join(bad)}."}
            )
    for key in ("region", "email", "phone", "notes"):
        if key in data and data[key] is None:
            data[key] = ""
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            raise ValidationError({"name": "Give the influencer a name."})
    return data


@transaction.atomic
def influencer_create(
    *,
    actor: User | None,
    agency: Agency,
    profiles: Iterable[dict[str, Any]] = (),
    **fields: Any,
) -> Influencer:
    """Add an influencer to ``agency``'s directory, with their profiles (each a dict of
    platform, handle, url, followers). A handle already in the directory is refused."""
    data = _check_influencer(fields)
    influencer = Influencer.objects.create(agency=agency, created_by=actor, **data)
    for profile in profiles:
        profile_add(actor=actor, influencer=influencer, **profile)
    # The directory is the agency's: its rows have no brand.
    audit_record(
        agency=agency,
        actor=actor,
        action=AuditEvent.Action.INFLUENCER_CREATED,
        name=influencer.name,
    )
    return influencer


@transaction.atomic
def influencer_update(*, actor: User | None, influencer: Influencer, **fields: Any) -> Influencer:
    """Change an influencer's details (not their profiles: see ``profile_add``)."""
    data = _check_influencer(fields)
    before = {key: getattr(influencer, key) for key in data}
    for key, value in data.items():
        setattr(influencer, key, value)
    influencer.save()
    # Field names only: the notes and contact details are the agency's own.
    changes = [key for key in data if getattr(influencer, key) != before[key]]
    if changes:
        audit_record(
            agency=influencer.agency,
            actor=actor,
            action=AuditEvent.Action.INFLUENCER_UPDATED,
            name=influencer.name,
            changes=changes,
        )
    return influencer


@transaction.atomic
def influencer_delete(*, actor: User | None, influencer: Influencer) -> None:
    """Remove an influencer from the directory, with every brand's relationship."""
    audit_record(
        agency=influencer.agency,
        actor=actor,
        action=AuditEvent.Action.INFLUENCER_DELETED,
        name=influencer.name,
    )
    influencer.delete()


@transaction.atomic
def profile_add(
    *,
    actor: User | None,
    influencer: Influencer,
    platform: str,
    handle: str,
    url: str = "",
    followers: int | None = 0,
) -> InfluencerProfile:
    """Add a profile; linked to the listening Author with this platform and handle if one
    exists (else when one first appears: ``profiles_link_authors``). Refuses a handle
    already in the agency's directory, naming the influencer who has it."""
    handle = clean_handle(handle)
    if not handle:
        raise ValidationError({"handle": "Give the handle (without @)."})
    if platform not in InfluencerPlatform.values:
        raise ValidationError({"platform": f"“{platform}” is not a platform we know."})
    if followers is not None and followers < 0:
        raise ValidationError({"followers": "Followers cannot be negative."})
    existing = profile_duplicate(agency=influencer.agency, platform=platform, handle=handle)
    if existing is not None:
        raise duplicate_error(existing)
    profile = InfluencerProfile.objects.create(
        agency_id=influencer.agency_id,
        influencer=influencer,
        platform=platform,
        handle=handle,
        url=url or "",
        followers=followers or 0,
        author=_author_for(platform, handle),
    )
    if profile.author and not profile.followers and profile.author.followers:
        profile.followers = profile.author.followers
        profile.save(update_fields=["followers"])
    _refresh_followers(influencer)
    return profile


@transaction.atomic
def profile_remove(*, actor: User | None, profile: InfluencerProfile) -> None:
    """Remove one profile of an influencer."""
    influencer = profile.influencer
    profile.delete()
    _refresh_followers(influencer)


def profiles_link_authors(*, author_ids: Iterable[int]) -> int:
    """Link the directory's unlinked profiles to these Authors where platform and handle
    match (the ingest hook: an Author has just appeared). Returns how many were linked."""
    authors = list(
        Author.objects.filter(pk__in=set(author_ids)).values_list("pk", "platform", "handle")
    )
    linked = 0
    for pk, platform, handle in authors:
        linked += InfluencerProfile.objects.filter(
            author__isnull=True, platform=platform, handle__iexact=handle
        ).update(author_id=pk)
    return linked


# -- relationships ---------------------------------------------------------------------


def _check_owner(brand: Brand, owner: User | None) -> None:
    if owner is not None and access.role_for(owner, brand) not in (
        access.ADMIN,
        access.MANAGER,
        access.ANALYST,
    ):
        raise ValidationError({"owner": "The owner must be a member of the brand's team."})


@transaction.atomic
def relationship_open(
    *,
    actor: User | None,
    brand: Brand,
    influencer: Influencer,
    stage: str = Stage.PROSPECT,
    owner: User | None = None,
    next_step: str = "",
    next_step_due: date | None = None,
) -> Relationship:
    """Start the brand's relationship with an influencer of its agency's directory."""
    if influencer.agency_id != brand.agency_id:
        raise ValidationError({"influencer": "Choose an influencer of this agency's directory."})
    if stage not in Stage.values:
        raise ValidationError({"stage": f"“{stage}” is not a stage."})
    if Relationship.objects.filter(brand=brand, influencer=influencer).exists():
        raise ValidationError(
            {"influencer": f"{brand.name} already has a relationship with {influencer.name}."}
        )
    _check_owner(brand, owner)
    relationship = Relationship.objects.create(
        brand=brand,
        influencer=influencer,
        stage=stage,
        owner=owner if owner is not None else actor,
        next_step=next_step or "",
        next_step_due=next_step_due,
    )
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.RELATIONSHIP_OPENED,
        name=influencer.name,
        field="stage",
        to=stage,
    )
    return relationship


def _person(user: User | None) -> str:
    """A relationship owner as the audit trail names them."""
    return user.display_name if user is not None else "nobody"


@transaction.atomic
def relationship_update(
    *,
    actor: User | None,
    relationship: Relationship,
    owner: User | None,
    next_step: str = "",
    next_step_due: date | None = None,
) -> Relationship:
    """Change the owner and the next step of a relationship (a new owner is audited)."""
    _check_owner(relationship.brand, owner)
    old_owner_id = relationship.owner_id
    relationship.owner = owner
    relationship.next_step = next_step or ""
    relationship.next_step_due = next_step_due
    relationship.save()
    if old_owner_id != relationship.owner_id:
        old_owner = User.objects.filter(pk=old_owner_id).first() if old_owner_id else None
        audit_record(
            agency=relationship.brand.agency,
            brand=relationship.brand,
            actor=actor,
            action=AuditEvent.Action.RELATIONSHIP_OWNER_CHANGED,
            name=relationship.influencer.name,
            field="owner",
            **{"from": _person(old_owner), "to": _person(owner)},
        )
    return relationship


@transaction.atomic
def relationship_move(
    *, actor: User | None, relationship: Relationship, stage: str
) -> Relationship:
    """Move a relationship to another stage of the pipeline. Taking the suggestion (or
    any deliberate move) clears it; moving to at risk closes the open health alerts."""
    if stage not in Stage.values:
        raise ValidationError({"stage": f"“{stage}” is not a stage."})
    old_stage = relationship.stage
    relationship.stage = stage
    relationship.suggested_stage = ""
    relationship.save(update_fields=["stage", "suggested_stage", "updated_at"])
    if stage == Stage.AT_RISK:
        HealthAlert.objects.filter(relationship=relationship, resolved_at__isnull=True).update(
            resolved_at=now()
        )
    if old_stage != stage:
        audit_record(
            agency=relationship.brand.agency,
            brand=relationship.brand,
            actor=actor,
            action=AuditEvent.Action.RELATIONSHIP_STAGE_CHANGED,
            name=relationship.influencer.name,
            field="stage",
            **{"from": old_stage, "to": stage},
        )
    return relationship


@transaction.atomic
def relationship_delete(*, actor: User | None, relationship: Relationship) -> None:
    """End the brand's relationship record (the influencer stays in the directory)."""
    audit_record(
        agency=relationship.brand.agency,
        brand=relationship.brand,
        actor=actor,
        action=AuditEvent.Action.RELATIONSHIP_DELETED,
        name=relationship.influencer.name,
    )
    relationship.delete()


@transaction.atomic
def interaction_add(
    *,
    actor: User | None,
    relationship: Relationship,
    kind: str,
    date: date,
    summary: str,
    outcome: str = "",
) -> Interaction:
    """Log a contact with the influencer on the relationship."""
    errors = {}
    if kind not in Interaction.Kind.values:
        errors["kind"] = f"“{kind}” is not a kind of interaction."
    if not (summary or "").strip():
        errors["summary"] = "Say what happened."
    if date is None:
        errors["date"] = "Give the date."
    elif date > now().date():
        errors["date"] = "An interaction cannot be in the future; log it once it happened."
    if errors:
        raise ValidationError(errors)
    interaction = Interaction.objects.create(
        brand=relationship.brand,
        relationship=relationship,
        kind=kind,
        date=date,
        summary=summary.strip(),
        outcome=(outcome or "").strip(),
        by=actor,
    )
    # What was said stays on the relationship; the trail tells only that it happened.
    audit_record(
        agency=relationship.brand.agency,
        brand=relationship.brand,
        actor=actor,
        action=AuditEvent.Action.INTERACTION_LOGGED,
        name=relationship.influencer.name,
        kind=kind,
        date=date.isoformat(),
    )
    return interaction


def health_alerts_mark_read(*, actor: User, relationship: Relationship) -> int:
    """The owner has seen the relationship's health alerts (on its page)."""
    return HealthAlert.objects.filter(
        relationship=relationship, recipient=actor, read_at__isnull=True
    ).update(read_at=now())


# -- discovery -------------------------------------------------------------------------


@transaction.atomic
def discovery_add(*, actor: User | None, brand: Brand, author: Author) -> Relationship:
    """ "Add and open a relationship": the listening Author becomes an influencer of the
    agency's directory (or is found there by handle) with a linked profile, and the brand
    opens a prospect relationship with them (or keeps the one it has)."""
    existing = profile_duplicate(
        agency=brand.agency, platform=author.platform, handle=author.handle
    )
    if existing is not None:
        influencer = existing.influencer
        if existing.author_id is None:
            existing.author = author
            existing.save(update_fields=["author"])
    else:
        influencer = influencer_create(
            actor=actor,
            agency=brand.agency,
            name=author.name or author.handle,
            profiles=[
                {
                    "platform": author.platform,
                    "handle": author.handle,
                    "url": author.url,
                    "followers": author.followers or 0,
                }
            ],
        )
    relationship = Relationship.objects.filter(brand=brand, influencer=influencer).first()
    if relationship is None:
        relationship = relationship_open(actor=actor, brand=brand, influencer=influencer)
    return relationship


# -- collaborations --------------------------------------------------------------------

COLLABORATION_FIELDS = ("status", "fee", "currency", "clicks", "notes")


def deliverable_errors(campaign: Campaign | None, rows: list[dict[str, Any]]) -> list[dict]:
    """Per deliverable row, what is wrong by field (an empty dict: nothing). A due date
    before the campaign starts is refused: the content would not count for it."""
    out = []
    for row in rows:
        errors = {}
        if row.get("platform") not in InfluencerPlatform.values:
            errors["platform"] = f"“{row.get('platform')}” is not a platform we know."
        if row.get("format", Deliverable.Format.POST) not in Deliverable.Format.values:
            errors["format"] = f"“{row.get('format')}” is not a format."
        count = row.get("count", 1)
        if count is None or int(count) < 1:
            errors["count"] = "At least one."
        due = row.get("due_date")
        if due is not None and campaign is not None and due < campaign.start_date:
            errors["due_date"] = (
                f"Due {due:%b %-d, %Y}, before the campaign starts "
                f"({campaign.start_date:%b %-d, %Y}): choose a date within the campaign."
            )
        out.append(errors)
    return out


def clean_url(url: str) -> str:
    """A content URL as stored and compared: trimmed, without a trailing slash."""
    return (url or "").strip().rstrip("/")


def _check_collaboration(
    brand: Brand,
    relationship: Relationship,
    campaign: Campaign,
    data: dict[str, Any],
    deliverables: list[dict[str, Any]] | None,
) -> None:
    errors: dict[str, Any] = {}
    if relationship.brand_id != brand.pk:
        errors["relationship"] = "Choose a relationship of this brand."
    if campaign.brand_id != brand.pk:
        errors["campaign"] = "Choose a campaign of this brand."
    if "currency" in data:
        data["currency"] = (data["currency"] or "").strip().upper()
        if data["currency"] not in CURRENCIES:
            errors["currency"] = (
                f"“{data['currency']}” is not an ISO 4217 currency code (e.g. EUR, USD, GBP)."
            )
    if data.get("status") is not None and data["status"] not in Collaboration.Status.values:
        errors["status"] = f"“{data['status']}” is not a status."
    if data.get("fee") is not None and Decimal(data["fee"]) < 0:
        errors["fee"] = "The fee cannot be negative."
    if data.get("clicks") is not None and int(data["clicks"]) < 0:
        errors["clicks"] = "Clicks cannot be negative."
    if deliverables is not None:
        rows = deliverable_errors(campaign, deliverables)
        messages = [
            f"Deliverable {n}: {field.replace('_', ' ')}: {text}"
            for n, row in enumerate(rows, start=1)
            for field, text in row.items()
        ]
        if messages:
            errors["deliverables"] = messages
    if errors:
        raise ValidationError(errors)


def _set_children(
    collaboration: Collaboration,
    deliverables: list[dict[str, Any]] | None,
    links: list[str] | None,
) -> None:
    if deliverables is not None:
        collaboration.deliverables.all().delete()
        Deliverable.objects.bulk_create(
            Deliverable(
                brand_id=collaboration.brand_id,
                collaboration=collaboration,
                platform=row["platform"],
                format=row.get("format") or Deliverable.Format.POST,
                count=row.get("count") or 1,
                due_date=row.get("due_date"),
            )
            for row in deliverables
        )
    if links is not None:
        wanted = list(dict.fromkeys(clean_url(u) for u in links if clean_url(u)))
        typed = {link.url: link for link in collaboration.links.filter(typed=True)}
        for url, link in typed.items():
            if url not in wanted:
                link.delete()
        for url in wanted:
            if url not in typed:
                ContentLink.objects.create(
                    brand_id=collaboration.brand_id, collaboration=collaboration, url=url
                )


@transaction.atomic
def collaboration_create(
    *,
    actor: User | None,
    brand: Brand,
    relationship: Relationship,
    campaign: Campaign,
    deliverables: list[dict[str, Any]] | None = None,
    links: list[str] | None = None,
    **fields: Any,
) -> Collaboration:
    """Attach the influencer of ``relationship`` to a campaign of the same brand, with
    deliverables and content URLs; matches the content to listening at once. All or
    nothing: a bad deliverable saves no part of it."""
    data = {k: v for k, v in fields.items() if k in COLLABORATION_FIELDS and v is not None}
    _check_collaboration(brand, relationship, campaign, data, deliverables or [])
    if Collaboration.objects.filter(relationship=relationship, campaign=campaign).exists():
        raise ValidationError(
            {
                "campaign": (
                    f"{relationship.influencer.name} already collaborates on {campaign.name}."
                )
            }
        )
    collaboration = Collaboration.objects.create(
        brand=brand, relationship=relationship, campaign=campaign, created_by=actor, **data
    )
    _set_children(collaboration, deliverables or [], links or [])
    collaboration_match(collaboration=collaboration)
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.COLLABORATION_CREATED,
        name=relationship.influencer.name,
        campaign=campaign.name,
        field="status",
        to=collaboration.status,
    )
    return collaboration


@transaction.atomic
def collaboration_update(
    *,
    actor: User | None,
    collaboration: Collaboration,
    deliverables: list[dict[str, Any]] | None = None,
    links: list[str] | None = None,
    **fields: Any,
) -> Collaboration:
    """Change a collaboration; ``deliverables`` and ``links`` (the typed URLs), when
    given, replace the current ones. The content is matched again."""
    data = {k: v for k, v in fields.items() if k in COLLABORATION_FIELDS and v is not None}
    _check_collaboration(
        collaboration.brand, collaboration.relationship, collaboration.campaign, data, deliverables
    )
    old_status = collaboration.status
    for key, value in data.items():
        setattr(collaboration, key, value)
    collaboration.save()
    _set_children(collaboration, deliverables, links)
    collaboration_match(collaboration=collaboration)
    if collaboration.status != old_status:
        audit_record(
            agency=collaboration.brand.agency,
            brand=collaboration.brand,
            actor=actor,
            action=AuditEvent.Action.COLLABORATION_STATUS_CHANGED,
            name=collaboration.relationship.influencer.name,
            campaign=collaboration.campaign.name,
            field="status",
            **{"from": old_status, "to": collaboration.status},
        )
    return collaboration


@transaction.atomic
def collaboration_delete(*, actor: User | None, collaboration: Collaboration) -> None:
    """Remove a collaboration with its deliverables and content links."""
    audit_record(
        agency=collaboration.brand.agency,
        brand=collaboration.brand,
        actor=actor,
        action=AuditEvent.Action.COLLABORATION_DELETED,
        name=collaboration.relationship.influencer.name,
        campaign=collaboration.campaign.name,
    )
    collaboration.delete()


def _url_variants(url: str) -> list[str]:
    url = clean_url(url)
    return [url, url + "/"] if url else []


@transaction.atomic
def collaboration_match(*, collaboration: Collaboration) -> int:
    """Match the collaboration's content to listening mentions of its brand: each typed
    URL to the mention of the post with that URL; then every mention the influencer's
    linked profiles posted during the campaign, heard by the campaign's queries (or any
    of the brand's without one), becomes a found content link. Returns how many links
    are matched. Cancelled collaborations are left alone."""
    if collaboration.status == Collaboration.Status.CANCELLED:
        return 0
    from influencers.selectors import collaboration_candidate_mentions

    links = list(collaboration.links.all())
    taken = {link.mention_id for link in links if link.mention_id}
    for link in links:
        if link.mention_id or not link.url:
            continue
        mention = (
            Mention.objects.filter(
                brand_id=collaboration.brand_id, post__url__in=_url_variants(link.url)
            )
            .exclude(pk__in=taken)
            .order_by("published_at", "id")
            .first()
        )
        if mention is not None:
            link.mention, link.matched_by = mention, ContentLink.MatchedBy.URL
            link.save(update_fields=["mention", "matched_by"])
            taken.add(mention.pk)
    by_url = {clean_url(link.url): link for link in links if not link.mention_id and link.url}
    for mention in collaboration_candidate_mentions(collaboration).exclude(pk__in=taken):
        link = by_url.pop(clean_url(mention.post.url), None) if mention.post.url else None
        if link is not None:
            link.mention, link.matched_by = mention, ContentLink.MatchedBy.URL
            link.save(update_fields=["mention", "matched_by"])
        else:
            ContentLink.objects.create(
                brand_id=collaboration.brand_id,
                collaboration=collaboration,
                url=mention.post.url,
                typed=False,
                mention=mention,
                matched_by=ContentLink.MatchedBy.AUTHOR,
            )
        taken.add(mention.pk)
    return len(taken)


def collaborations_match_mentions(*, mention_ids: Iterable[int]) -> int:
    """After an ingest batch: match again the collaborations these mentions may belong
    to (a typed URL, or a post by the influencer during the campaign)."""
    from influencers.selectors import collaborations_for_mentions

    matched = 0
    for collaboration in collaborations_for_mentions(list(mention_ids)):
        collaboration_match(collaboration=collaboration)
        matched += 1
    return matched
