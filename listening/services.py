"""Writes of the listening app: sources, queries, phrase rules, hand corrections,
source health. Each checks its rule; views, the API, tasks and commands call these."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from listening import importers
from listening.connectors import CONNECTORS
from listening.models import (
    ImportJob,
    Mention,
    MentionMatch,
    PhraseRule,
    Platform,
    Query,
    Sentiment,
    Source,
)
from listening.pipeline import forget_compiled_queries, rollup_increment
from listening.querylang import QuerySyntaxError, parse
from listening.signals import mentions_rescored
from socialhub.models import AuditEvent, Brand, User
from socialhub.services import audit_record

# After this many failures in a row a source backs off: the wait doubles each time,
# up to a day.
BACKOFF_AFTER = 3
MAX_BACKOFF = timedelta(hours=24)


def _now() -> datetime:
    return datetime.now(UTC)


# -- sources ---------------------------------------------------------------------------


def source_validate_config(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """The connector's own check of its settings; errors name the setting."""
    connector = CONNECTORS.get(kind)
    if connector is None:
        return dict(config)  # file imports and the push API have no settings to check
    return connector.validate_config(config)


@transaction.atomic
def source_create(
    *,
    actor: User,
    brand: Brand,
    name: str,
    kind: str,
    config: dict[str, Any],
    poll_interval: int = 15,
    is_active: bool = True,
) -> Source:
    """A new source of the brand, due for its first fetch at once."""
    source = Source(
        brand=brand,
        name=name.strip(),
        kind=kind,
        config=source_validate_config(kind, config),
        poll_interval=poll_interval,
        is_active=is_active,
        next_poll_at=_now() if kind in CONNECTORS else None,
    )
    source.full_clean()
    source.save()
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.SOURCE_CREATED,
        name=source.name,
        kind=source.kind,
    )
    return source


@transaction.atomic
def source_update(*, actor: User, source: Source, **fields: Any) -> Source:
    """Change a source's name, settings, interval or active flag. A changed setting
    starts the cursor afresh (a new feed address is a new feed)."""
    if "config" in fields:
        fields["config"] = source_validate_config(source.kind, fields["config"])
        if fields["config"] != source.config:
            source.cursor = {}
    before = {name: getattr(source, name) for name in fields}
    for name, value in fields.items():
        setattr(source, name, value)
    if fields.get("is_active"):
        source.consecutive_failures = 0
        source.next_poll_at = _now()
    source.full_clean()
    source.save()
    # Field names only: the settings may hold a token.
    changes = [name for name in fields if getattr(source, name) != before[name]]
    if changes:
        audit_record(
            agency=source.brand.agency,
            brand=source.brand,
            actor=actor,
            action=AuditEvent.Action.SOURCE_UPDATED,
            name=source.name,
            kind=source.kind,
            changes=changes,
        )
    return source


def source_record_success(*, source_id: int, cursor: dict, fetched: int) -> None:
    """A fetch worked: reset failures, keep the cursor, schedule the next poll."""
    now = _now()
    source = Source.objects.get(pk=source_id)
    Source.objects.filter(pk=source_id).update(
        cursor=cursor,
        last_fetch_at=now,
        last_success_at=now,
        consecutive_failures=0,
        next_poll_at=now + timedelta(minutes=source.poll_interval),
        posts_fetched=F("posts_fetched") + fetched,
    )


def source_record_failure(*, source_id: int, error: str) -> Source:
    """A fetch failed: record why on the source and back off when it keeps failing."""
    now = _now()
    source = Source.objects.get(pk=source_id)
    failures = source.consecutive_failures + 1
    wait = timedelta(minutes=source.poll_interval)
    if failures >= BACKOFF_AFTER:
        wait = min(wait * 2 ** (failures - BACKOFF_AFTER + 1), MAX_BACKOFF)
    # Jitter, so many failing sources do not retry in step.
    wait += timedelta(seconds=random.uniform(0, 30))
    Source.objects.filter(pk=source_id).update(
        last_fetch_at=now,
        last_error_at=now,
        last_error=error[:2000],
        consecutive_failures=failures,
        next_poll_at=now + wait,
    )
    source.refresh_from_db()
    return source


@transaction.atomic
def source_delete(*, actor: User, source: Source) -> None:
    """Delete a source. The mentions it brought stay: they were heard."""
    brand = source.brand
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.SOURCE_DELETED,
        name=source.name,
        kind=source.kind,
    )
    source.delete()


def source_fetch_now(*, actor: User, source: Source) -> None:
    """Make the source due at once (the "fetch now" button) and queue its fetch."""
    from listening.tasks import fetch_source

    Source.objects.filter(pk=source.pk).update(next_poll_at=_now())
    fetch_source.delay_on_commit(source.pk)


# -- queries ---------------------------------------------------------------------------


def query_validate(expression: str) -> None:
    """Refuse an expression that does not parse, saying where and what was expected."""
    try:
        parse(expression)
    except QuerySyntaxError as exc:
        raise ValidationError({"expression": str(exc)}) from exc


@transaction.atomic
def query_create(
    *,
    actor: User,
    brand: Brand,
    name: str,
    expression: str,
    kind: str = Query.Kind.BRAND,
    languages: list[str] | None = None,
    platforms: list[str] | None = None,
    is_active: bool = True,
) -> Query:
    """A new query of the brand; matched from the next ingested batch on."""
    query_validate(expression)
    query = Query(
        brand=brand,
        name=name.strip(),
        kind=kind,
        expression=expression.strip(),
        languages=sorted(set(languages or [])),
        platforms=sorted(set(platforms or [])),
        is_active=is_active,
    )
    query.full_clean()
    query.save()
    transaction.on_commit(forget_compiled_queries)
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.QUERY_CREATED,
        name=query.name,
    )
    return query


@transaction.atomic
def query_update(*, actor: User, query: Query, **fields: Any) -> Query:
    """Change a query. Mentions already heard stay; new posts are matched by the new
    expression. Switching it off or on is recorded apart from the other changes."""
    if "expression" in fields:
        query_validate(fields["expression"])
        fields["expression"] = fields["expression"].strip()
    for key in ("languages", "platforms"):
        if key in fields:
            fields[key] = sorted(set(fields[key] or []))
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    # Compare with what is stored, not with ``query``: a bound ModelForm may already
    # have written the new values onto the instance it was given.
    stored = (
        Query.objects.select_for_update(of=("self",))
        .select_related("brand__agency")
        .get(pk=query.pk)
    )
    changes = [name for name, value in fields.items() if getattr(stored, name) != value]
    for name, value in fields.items():
        setattr(query, name, value)
    query.full_clean()
    query.save()
    transaction.on_commit(forget_compiled_queries)
    brand = stored.brand
    edited = [name for name in changes if name != "is_active"]
    if edited:
        audit_record(
            agency=brand.agency,
            brand=brand,
            actor=actor,
            action=AuditEvent.Action.QUERY_UPDATED,
            name=query.name,
            changes=edited,
        )
    if "is_active" in changes:
        audit_record(
            agency=brand.agency,
            brand=brand,
            actor=actor,
            action=(
                AuditEvent.Action.QUERY_RESUMED
                if query.is_active
                else AuditEvent.Action.QUERY_PAUSED
            ),
            name=query.name,
        )
    return query


@transaction.atomic
def query_delete(*, actor: User, query: Query) -> None:
    """Delete a query with its matches and counters; the mentions stay (another query
    or brand may have heard them). Switching it off keeps its history instead."""
    brand = query.brand
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.QUERY_DELETED,
        name=query.name,
        kind=query.kind,
    )
    query.delete()
    transaction.on_commit(forget_compiled_queries)


# -- sentiment by people ---------------------------------------------------------------


def _move_between_buckets(mention: Mention, old: str, new: str) -> None:
    """Move a mention's counts from one sentiment bucket to another in every rollup."""
    post = mention.post
    engagement = post.likes + post.shares + post.replies
    hour = mention.published_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    buckets = {}
    for query_id in MentionMatch.objects.filter(mention=mention).values_list("query_id", flat=True):
        base = (mention.brand_id, query_id, hour, mention.platform)
        buckets[(*base, old, mention.lang)] = [-1, -post.reach, -engagement]
        buckets[(*base, new, mention.lang)] = [1, post.reach, engagement]
    rollup_increment(buckets)


@transaction.atomic
def mention_set_sentiment(*, actor: User, mention: Mention, sentiment: str) -> Mention:
    """A person corrects a mention's sentiment; it is kept and never re-scored."""
    if sentiment not in Sentiment.values:
        raise ValidationError({"sentiment": "Choose negative, neutral or positive."})
    mention = Mention.objects.select_for_update().select_related("post").get(pk=mention.pk)
    old = mention.sentiment
    mention.sentiment = sentiment
    mention.sentiment_score = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}[sentiment]
    mention.sentiment_source = "manual"
    mention.sentiment_set_by = actor
    mention.full_clean(exclude=["post", "brand"])
    mention.save(
        update_fields=["sentiment", "sentiment_score", "sentiment_source", "sentiment_set_by"]
    )
    if old != sentiment:
        _move_between_buckets(mention, old, sentiment)
        audit_record(
            agency=mention.brand.agency,
            brand=mention.brand,
            actor=actor,
            action=AuditEvent.Action.MENTION_SENTIMENT_CHANGED,
            name=" ".join(mention.post.text[:60].split()),
            field="sentiment",
            **{"from": old, "to": sentiment},
        )
    return mention


@transaction.atomic
def phrase_rule_create(*, actor: User, brand: Brand, phrase: str, sentiment: str) -> PhraseRule:
    """A brand phrase that overrides the model, e.g. “killer feature” → positive."""
    rule = PhraseRule(brand=brand, phrase=phrase.strip(), sentiment=sentiment)
    rule.full_clean()
    rule.save()
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.PHRASE_RULE_CREATED,
        name=rule.phrase,
        field="sentiment",
        to=rule.sentiment,
    )
    return rule


@transaction.atomic
def phrase_rule_delete(*, actor: User, rule: PhraseRule) -> None:
    """Remove a phrase rule; mentions it scored keep their sentiment until the rules are
    applied again."""
    brand = rule.brand
    audit_record(
        agency=brand.agency,
        brand=brand,
        actor=actor,
        action=AuditEvent.Action.PHRASE_RULE_DELETED,
        name=rule.phrase,
    )
    rule.delete()


@transaction.atomic
def phrase_rules_apply(*, actor: User, brand: Brand) -> int:
    """Re-apply the brand's phrase rules to its stored mentions (not to hand-corrected
    ones); returns how many changed."""
    from listening.nlp.rules import apply_phrase_rules

    rules = list(PhraseRule.objects.filter(brand=brand).values_list("phrase", "sentiment"))
    changed = 0
    mentions = (
        Mention.objects.filter(brand=brand)
        .exclude(sentiment_source="manual")
        .select_related("post")
        .select_for_update()
    )
    for mention in mentions.iterator(chunk_size=2000):
        verdict = apply_phrase_rules(mention.post.text, rules)
        if verdict is None:
            if mention.sentiment_source != "rule":
                continue
            label, score, origin = mention.post.sentiment, mention.post.sentiment_score, "model"
        else:
            label, score, origin = verdict.label, verdict.score, "rule"
        if label == mention.sentiment and origin == mention.sentiment_source:
            continue
        old = mention.sentiment
        Mention.objects.filter(pk=mention.pk).update(
            sentiment=label, sentiment_score=score or 0.0, sentiment_source=origin
        )
        if old != label:
            _move_between_buckets(mention, old, label)
        changed += 1
    if changed:
        transaction.on_commit(
            lambda: mentions_rescored.send(sender=Mention, brand_id=brand.pk), robust=True
        )
        audit_record(
            agency=brand.agency,
            brand=brand,
            actor=actor,
            action=AuditEvent.Action.PHRASE_RULES_APPLIED,
            count=changed,
        )
    return changed


# -- file imports ----------------------------------------------------------------------

# Rows per pipeline batch in a file import; the job's counts are saved after each one.
IMPORT_BATCH = 500
# How many problem rows a job keeps to show (the counts cover every row).
IMPORT_MAX_ROW_ERRORS = 100


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size // 1024 + 1} KB"


@transaction.atomic
def import_job_create(*, actor: User, brand: Brand, upload: Any) -> ImportJob:
    """Keep an uploaded export on the server, under a name we choose, and read its
    header and first rows for the mapping step. A file we cannot read (too large, an
    unknown type, a broken encoding, no rows) is refused with ValidationError on
    ``file``, and nothing is kept."""
    original_name = (getattr(upload, "name", "") or "upload").replace("\x00", "")[-255:]
    size = int(getattr(upload, "size", 0) or 0)
    if size > importers.MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": f"The file is {_size_text(size)}; the limit is "
                f"{_size_text(importers.MAX_FILE_BYTES)}. Split it into smaller files."
            }
        )
    try:
        fmt = importers.detect_format(original_name)
    except importers.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    relative = f"{brand.pk}/{uuid.uuid4().hex}"
    path = importers.stored_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        header, samples = importers.read_preview(path, fmt)
        if not any(header):
            raise importers.ImportFileError("The file has no column names in its first row.")
        if not samples:
            raise importers.ImportFileError("The file has column names but no rows to import.")
    except importers.ImportFileError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": str(exc)}) from exc
    except Exception as exc:  # a reader bug must not become a 500
        path.unlink(missing_ok=True)
        raise ValidationError(
            {"file": f"The file cannot be read as {fmt.upper()} ({type(exc).__name__})."}
        ) from exc
    job = ImportJob(
        brand=brand,
        file_path=relative,
        original_name=original_name,
        format=fmt,
        size=size,
        columns=header,
        sample_rows=samples,
        mapping=importers.guess_mapping([h for h in header if h]),
        created_by=actor,
    )
    job.full_clean()
    job.save()
    return job


@transaction.atomic
def import_job_start(
    *, actor: User, job: ImportJob, mapping: dict[str, str], default_platform: str
) -> ImportJob:
    """Confirm the column mapping and queue the import (the worker reads the file)."""
    from listening.import_tasks import import_file

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.NEW:
        raise ValidationError("This import has already been started.")
    if default_platform not in Platform.values:
        raise ValidationError({"default_platform": "Choose one of the platforms listed."})
    mapping = {k: v for k, v in mapping.items() if v}
    importers.check_mapping(mapping, job.columns)
    job.mapping = mapping
    job.default_platform = default_platform
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["mapping", "default_platform", "status"])
    import_file.delay_on_commit(job.pk)
    audit_record(
        agency=job.brand.agency,
        brand=job.brand,
        actor=actor,
        action=AuditEvent.Action.IMPORT_STARTED,
        name=job.original_name,
        format=job.format,
    )
    return job


def _row_problems(report: Any, mapping: dict[str, str]) -> list[dict[str, Any]]:
    """The first problem rows as flat {row, field, column, message, level} entries."""
    problems = []
    merged = [(n, e, "error") for n, e in report.errors] + [
        (n, e, "warning") for n, e in report.warnings
    ]
    merged.sort(key=lambda item: item[0])
    for number, errors, level in merged:
        for field_name, messages in errors.items():
            for message in messages:
                problems.append(
                    {
                        "row": number,
                        "field": field_name,
                        "column": mapping.get(field_name, ""),
                        "message": message,
                        "level": level,
                    }
                )
                if len(problems) >= IMPORT_MAX_ROW_ERRORS:
                    return problems
    return problems


def _import_job_save_progress(job: ImportJob, report: Any) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        processed=report.rows,
        imported=report.stored,
        duplicates=report.duplicates,
        unmatched=report.unmatched,
        invalid=report.invalid,
        row_errors=_row_problems(report, job.mapping),
        first_published_at=report.first_published,
        last_published_at=report.last_published,
    )


def import_job_fail(*, job_id: int, error: str) -> None:
    """The import as a whole failed: say why on the job."""
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, error=error[:2000], finished_at=_now()
    )


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Import a queued (or interrupted) job's file in batches through the pipeline,
    saving its counts after each batch. Run again, it stores nothing twice: the
    pipeline dedupes on (platform, external id) and the importer's ids are stable.

    Not atomic on purpose: each batch commits, so progress is visible and a crash
    loses at most one batch of work (done again on the next run)."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (ImportJob.Status.NEW, ImportJob.Status.DONE):
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        started_at=_now(),
        finished_at=None,
        error="",
        total=None,
        processed=0,
        imported=0,
        duplicates=0,
        unmatched=0,
        invalid=0,
        row_errors=[],
    )
    try:
        path = importers.stored_path(job.file_path)
        ImportJob.objects.filter(pk=job.pk).update(total=importers.count_rows(path, job.format))
        with path.open("rb") as stream:
            header, rows = importers.read_rows(stream, job.format)
            importers.check_mapping(job.mapping, header)
            report = importers.import_rows(
                rows,
                job.mapping,
                brand_id=job.brand_id,
                default_platform=job.default_platform,
                batch_size=IMPORT_BATCH,
                on_batch=lambda report: _import_job_save_progress(job, report),
            )
        _import_job_save_progress(job, report)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE, total=report.rows, finished_at=_now()
        )
    except FileNotFoundError:
        import_job_fail(
            job_id=job.pk, error="The uploaded file is no longer on the server; upload it again."
        )
    except importers.ImportFileError as exc:
        import_job_fail(job_id=job.pk, error=str(exc))
    except ValidationError as exc:
        import_job_fail(
            job_id=job.pk,
            error="The file's columns do not fit the mapping: " + " ".join(exc.messages),
        )
    job.refresh_from_db()
    return job
