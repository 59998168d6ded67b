"""Writes of campaigns: a campaign (and its hashtag query), its KPIs and the team's
figures. Each checks its rules, names the field that is wrong and saves all or nothing;
views, the API and commands call these."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from campaigns import kpis as catalogue
from campaigns import selectors
from campaigns.models import Campaign, Kpi, KpiEntry, SocialAccount
from listening import services as listening_services
from listening.models import Query
from socialhub.models import AuditEvent, Brand, User
from socialhub.services import audit_record

# ISO 4217 codes in use (no funds, metals or testing codes).
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
    """.split()
)

CAMPAIGN_FIELDS = (
    "name",
    "objective",
    "description",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "hashtags",
    "tracked_links",
    "owner",
    "status",
)
KPI_FIELDS = (
    "metric",
    "label",
    "direction",
    "target_kind",
    "target",
    "baseline",
    "plan",
    "follower_threshold",
    "position",
)
HASHTAG = re.compile(r"^\w{1,100}$")
MAX_HASHTAGS = 30
MAX_LINKS = 30


def _now() -> datetime:
    return datetime.now(UTC)


def _number(value: Any) -> str | None:
    """A decimal as the audit trail shows it: 1500, not 1500.0000."""
    if value is None:
        return None
    return format(Decimal(str(value)).normalize(), "f")


# -- campaigns -------------------------------------------------------------------------


def hashtags_clean(value: Any) -> list[str]:
    """Hashtags as a list without '#', from a list or a comma/space-separated text;
    ValidationError naming a bad one."""
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    out: list[str] = []
    for raw in value or []:
        tag = str(raw).strip().lstrip("#")
        if not tag:
            continue
        if not HASHTAG.match(tag):
            raise ValidationError(
                f"“{raw}” is not a hashtag: letters, digits and _ only, up to 100."
            )
        if tag.lower() not in {t.lower() for t in out}:
            out.append(tag)
    if len(out) > MAX_HASHTAGS:
        raise ValidationError(f"At most {MAX_HASHTAGS} hashtags.")
    return out


def links_clean(value: Any) -> list[str]:
    """Tracked links as a list of http(s) URLs, from a list or one-per-line text."""
    if isinstance(value, str):
        value = value.splitlines()
    validate = URLValidator(schemes=["http", "https"])
    out: list[str] = []
    for raw in value or []:
        link = str(raw).strip()
        if not link:
            continue
        try:
            validate(link)
        except ValidationError:
            raise ValidationError(f"“{link}” is not a web address (http:// or https://).") from None
        if link not in out:
            out.append(link)
    if len(out) > MAX_LINKS:
        raise ValidationError(f"At most {MAX_LINKS} tracked links.")
    return out


def _check_campaign(
    campaign: Campaign,
    channels: list[SocialAccount] | None,
    queries: list[Query] | None,
) -> None:
    """The model's checks plus those needing the brand, every error on its field."""
    errors: dict[str, str] = {}
    brand = campaign.brand
    campaign.name = (campaign.name or "").strip()
    campaign.currency = (campaign.currency or "").strip().upper()
    for name, clean in (("hashtags", hashtags_clean), ("tracked_links", links_clean)):
        try:
            setattr(campaign, name, clean(getattr(campaign, name)))
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
    if campaign.currency not in CURRENCIES:
        errors["currency"] = (
            f"“{campaign.currency}” is not an ISO 4217 currency code (e.g. EUR, USD, GBP)."
        )
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        errors["end_date"] = "The end date comes before the start date."
    taken = Campaign.objects.filter(brand=brand, name__iexact=campaign.name)
    if campaign.pk:
        taken = taken.exclude(pk=campaign.pk)
    if campaign.name and taken.exists():
        errors["name"] = f"{brand.name} already has a campaign with this name."
    if (
        campaign.owner_id
        and not selectors.campaign_owner_choices(brand).filter(pk=campaign.owner_id).exists()
    ):
        errors["owner"] = f"The owner must hold a role in {brand.name}."
    if channels and any(c.brand_id != brand.pk for c in channels):
        errors["channels"] = f"Choose channels of {brand.name}."
    if queries and any(q.brand_id != brand.pk for q in queries):
        errors["queries"] = f"Choose queries of {brand.name}."
    try:
        campaign.full_clean(exclude=["brand"], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ValidationError(errors)


def _hashtag_query(*, actor: User, campaign: Campaign) -> Query:
    """A listening query of kind ``campaign`` for the campaign's hashtags."""
    if not campaign.hashtags:
        raise ValidationError({"hashtags": "Add hashtags to create a query for them."})
    expression = " OR ".join(f"#{tag}" for tag in campaign.hashtags)
    name = f"Campaign: {campaign.name}"[:110]
    base, n = name, 2
    while Query.objects.filter(brand=campaign.brand, name__iexact=name).exists():
        name, n = f"{base} ({n})", n + 1
    return listening_services.query_create(
        actor=actor,
        brand=campaign.brand,
        name=name,
        expression=expression,
        kind=Query.Kind.CAMPAIGN,
    )


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    brand: Brand,
    channels: list[SocialAccount] | None = None,
    queries: list[Query] | None = None,
    create_hashtag_query: bool = False,
    **fields: Any,
) -> Campaign:
    """A new campaign of the brand; with ``create_hashtag_query``, a listening query of
    kind campaign for its hashtags (``#a OR #b``) is created and measures it."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    campaign = Campaign(brand=brand, **fields)
    _check_campaign(campaign, channels, queries)
    campaign.save()
    campaign.channels.set(channels or [])
    chosen = list(queries or [])
    if create_hashtag_query:
        chosen.append(_hashtag_query(actor=actor, campaign=campaign))
    campaign.queries.set(chosen)
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.CAMPAIGN_CREATED,
        name=campaign.name,
        field="status",
        to=campaign.status,
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: User,
    campaign: Campaign,
    channels: list[SocialAccount] | None = None,
    queries: list[Query] | None = None,
    create_hashtag_query: bool = False,
    **fields: Any,
) -> Campaign:
    """Change a campaign. Stored baselines stay as they were measured (a new start
    date does not move them: delete and re-add the KPI to measure again). A new status
    is recorded apart from the other changes."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    attnames = {name: Campaign._meta.get_field(name).attname for name in fields}
    before = {name: getattr(campaign, attname) for name, attname in attnames.items()}
    for name, value in fields.items():
        setattr(campaign, name, value)
    _check_campaign(campaign, channels, queries)
    campaign.save()
    catalogue.forget(campaign)
    changes = [
        name for name, attname in attnames.items() if getattr(campaign, attname) != before[name]
    ]
    if channels is not None:
        if set(campaign.channels.values_list("pk", flat=True)) != {c.pk for c in channels}:
            changes.append("channels")
        campaign.channels.set(channels)
    if queries is not None or create_hashtag_query:
        chosen = list(queries if queries is not None else campaign.queries.all())
        if create_hashtag_query:
            chosen.append(_hashtag_query(actor=actor, campaign=campaign))
        if set(campaign.queries.values_list("pk", flat=True)) != {q.pk for q in chosen}:
            changes.append("queries")
        campaign.queries.set(chosen)
    edited = [name for name in changes if name != "status"]
    if edited:
        audit_record(
            agency=campaign.brand.agency,
            brand=campaign.brand,
            actor=actor,
            action=AuditEvent.Action.CAMPAIGN_UPDATED,
            name=campaign.name,
            changes=edited,
        )
    if "status" in changes:
        audit_record(
            agency=campaign.brand.agency,
            brand=campaign.brand,
            actor=actor,
            action=AuditEvent.Action.CAMPAIGN_STATUS_CHANGED,
            name=campaign.name,
            field="status",
            **{"from": before["status"], "to": campaign.status},
        )
    return campaign


@transaction.atomic
def campaign_archive(*, actor: User, campaign: Campaign) -> Campaign:
    """Archive a campaign: it leaves the default list; its KPIs and reviews stay."""
    was = campaign.status
    campaign.status = Campaign.Status.ARCHIVED
    campaign.save(update_fields=["status", "updated_at"])
    if was != Campaign.Status.ARCHIVED:
        audit_record(
            agency=campaign.brand.agency,
            brand=campaign.brand,
            actor=actor,
            action=AuditEvent.Action.CAMPAIGN_ARCHIVED,
            name=campaign.name,
            field="status",
            **{"from": was, "to": campaign.status},
        )
    return campaign


@transaction.atomic
def campaign_delete(*, actor: User, campaign: Campaign) -> None:
    """Remove a campaign with its KPIs and figures (its posts stay, without campaign)."""
    audit_record(
        agency=campaign.brand.agency,
        brand=campaign.brand,
        actor=actor,
        action=AuditEvent.Action.CAMPAIGN_DELETED,
        name=campaign.name,
    )
    campaign.delete()


# -- KPIs ------------------------------------------------------------------------------


def _check_kpi(kpi: Kpi) -> None:
    errors: dict[str, str] = {}
    metric = catalogue.CATALOGUE.get(kpi.metric)
    if metric is None:
        raise ValidationError({"metric": f"“{kpi.metric}” is not a metric of the catalogue."})
    if metric.is_computed and kpi.baseline is not None and kpi.baseline_computed_at is None:
        # A computed KPI's baseline is measured, never typed.
        kpi.baseline = None
    if kpi.baseline is not None and not metric.is_computed:
        problem = catalogue._range_error(metric, float(kpi.baseline))
        if problem:
            errors["baseline"] = "The baseline is out of range: " + problem
    taken = Kpi.objects.filter(campaign=kpi.campaign, metric=kpi.metric)
    if kpi.pk:
        taken = taken.exclude(pk=kpi.pk)
    if taken.exists():
        errors["metric"] = f"{kpi.campaign.name} already has a “{metric.label}” KPI."
    baseline = kpi.baseline
    if metric.is_computed and baseline is None and kpi.target_kind == Kpi.TargetKind.RELATIVE:
        # Check the relative target against the baseline it would get today.
        results = catalogue.CampaignData(kpi.campaign, catalogue._today(None), [kpi])
        baseline = results.value(kpi.metric, catalogue.periods(kpi.campaign)["before"], kpi)
    for name, problem in catalogue.target_errors(
        metric=kpi.metric, target_kind=kpi.target_kind, target=kpi.target, baseline=baseline
    ).items():
        errors.setdefault(name, problem)
    try:
        kpi.full_clean(exclude=["brand", "campaign"], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ValidationError(errors)


def _kpi_name(kpi: Kpi) -> str:
    """The KPI as the campaign page names it: its label, else its metric's."""
    metric = catalogue.CATALOGUE.get(kpi.metric)
    return kpi.label or (metric.label if metric else kpi.metric)


@transaction.atomic
def kpi_create(*, actor: User, campaign: Campaign, **fields: Any) -> Kpi:
    """A goal of the campaign from the catalogue. Direction defaults to the metric's;
    a computed KPI's baseline is measured on first evaluation, an entered one's typed."""
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise TypeError(f"Unknown KPI fields: {sorted(unknown)}")
    metric = catalogue.CATALOGUE.get(fields.get("metric", ""))
    if metric is not None and not fields.get("direction"):
        fields["direction"] = metric.direction
    if "position" not in fields:
        fields["position"] = campaign.kpis.count()
    kpi = Kpi(brand=campaign.brand, campaign=campaign, **fields)
    _check_kpi(kpi)
    kpi.save()
    catalogue.forget(campaign)
    audit_record(
        agency=campaign.brand.agency,
        brand=campaign.brand,
        actor=actor,
        action=AuditEvent.Action.KPI_CREATED,
        name=_kpi_name(kpi),
        campaign=campaign.name,
        field="target",
        to=_number(kpi.target),
    )
    return kpi


@transaction.atomic
def kpi_update(*, actor: User, kpi: Kpi, **fields: Any) -> Kpi:
    """Change a KPI's target, plan or label. A new metric measures a new baseline."""
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise TypeError(f"Unknown KPI fields: {sorted(unknown)}")
    if "metric" in fields and fields["metric"] != kpi.metric:
        kpi.baseline, kpi.baseline_computed_at = None, None
    metric = catalogue.CATALOGUE.get(fields.get("metric", kpi.metric))
    if metric is not None and metric.is_computed:
        fields.pop("baseline", None)  # measured, not typed
    before = {name: getattr(kpi, name) for name in fields}
    for name, value in fields.items():
        setattr(kpi, name, value)
    _check_kpi(kpi)
    kpi.save()
    catalogue.forget(kpi.campaign)
    changes = [name for name in fields if getattr(kpi, name) != before[name]]
    if changes:
        target = {}
        if "target" in changes:
            target = {
                "field": "target",
                "from": _number(before["target"]),
                "to": _number(kpi.target),
            }
        audit_record(
            agency=kpi.brand.agency,
            brand=kpi.brand,
            actor=actor,
            action=AuditEvent.Action.KPI_UPDATED,
            name=_kpi_name(kpi),
            campaign=kpi.campaign.name,
            changes=changes,
            **target,
        )
    return kpi


@transaction.atomic
def kpi_delete(*, actor: User, kpi: Kpi) -> None:
    """Remove a goal (the team's figures for its metric stay)."""
    kpi.delete()
    catalogue.forget(kpi.campaign)
    audit_record(
        agency=kpi.brand.agency,
        brand=kpi.brand,
        actor=actor,
        action=AuditEvent.Action.KPI_DELETED,
        name=_kpi_name(kpi),
        campaign=kpi.campaign.name,
    )


# -- the team's figures ----------------------------------------------------------------


def _audit_entry(entry: KpiEntry, action: str, *, actor: User | None, **detail: Any) -> None:
    """The audit row of one of the team's figures: its metric, campaign and date."""
    metric = catalogue.CATALOGUE.get(entry.metric)
    audit_record(
        agency=entry.brand.agency,
        brand=entry.brand,
        actor=actor,
        action=action,
        name=metric.label if metric else entry.metric,
        campaign=entry.campaign.name,
        date=entry.date.isoformat(),
        **detail,
    )


@transaction.atomic
def kpi_entry_create(
    *,
    actor: User,
    campaign: Campaign,
    metric: str,
    date: date,
    value: Decimal,
    note: str = "",
) -> KpiEntry:
    """The team's figure of ``metric`` for ``date``; a second figure for the same day
    replaces the first (who and when are recorded anew)."""
    errors: dict[str, str] = {}
    if metric not in catalogue.ENTERED_METRICS:
        labels = ", ".join(catalogue.CATALOGUE[m].label.lower() for m in catalogue.ENTERED_METRICS)
        errors["metric"] = f"Only these figures are entered by the team: {labels}."
    if date is None:
        errors["date"] = "Give the date of the figure."
    elif date > _now().date():
        errors["date"] = "The date is in the future: enter figures for days that have passed."
    if value is None:
        errors["value"] = "Give a value."
    elif value < 0:
        errors["value"] = "A figure cannot be negative."
    if errors:
        raise ValidationError(errors)
    entry = KpiEntry.objects.filter(campaign=campaign, metric=metric, date=date).first()
    if entry is None:
        entry = KpiEntry(brand=campaign.brand, campaign=campaign, metric=metric, date=date)
    before = {"value": entry.value, "note": entry.note} if entry.pk else None
    entry.value = value
    entry.note = (note or "").strip()
    entry.entered_by = actor
    entry.entered_at = _now()
    try:
        entry.full_clean(exclude=["brand", "campaign", "entered_by"], validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError({k: " ".join(v) for k, v in exc.message_dict.items()}) from None
    entry.save()
    catalogue.forget(campaign)
    if before is None:
        _audit_entry(
            entry,
            AuditEvent.Action.KPI_ENTRY_CREATED,
            actor=actor,
            field="value",
            to=_number(entry.value),
        )
        return entry
    # The same figure entered again only renews who and when: nothing to audit.
    changes = [name for name in before if getattr(entry, name) != before[name]]
    if changes:
        told = {}
        if "value" in changes:
            told = {"field": "value", "from": _number(before["value"]), "to": _number(entry.value)}
        _audit_entry(
            entry, AuditEvent.Action.KPI_ENTRY_UPDATED, actor=actor, changes=changes, **told
        )
    return entry


@transaction.atomic
def kpi_entry_delete(*, actor: User, entry: KpiEntry) -> None:
    """Remove one of the team's figures."""
    entry.delete()
    catalogue.forget(entry.campaign)
    _audit_entry(
        entry,
        AuditEvent.Action.KPI_ENTRY_DELETED,
        actor=actor,
        field="value",
        **{"from": _number(entry.value)},
    )
