"""Import a list of influencers from CSV or XLSX into an agency's directory.

Two steps: the upload reads the file (with listening's reader: encodings, delimiters,
XLSX) and proposes a mapping of its columns to our fields; the person confirms the
mapping and the rows are checked. **All or nothing**: every row is validated first —
missing name or handle, unknown platform, a follower count that is not a number, a
handle already in the directory or twice in the file — and if any row is broken, the
page lists each broken row with its field and why, and nothing is imported; the person
fixes the file and uploads it again. With no broken row, every row is imported in one
transaction.

One row is one influencer with one profile (name, platform, handle, followers, url) and
optional details (topics, languages, tags: comma-separated; region, email, phone, notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from influencers import services
from influencers.models import Influencer, InfluencerPlatform
from listening.importers import ImportFileError, detect_format, read_rows
from socialhub.models import Agency, AuditEvent, User
from socialhub.services import audit_record

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "influencer", "display name", "author name"),
    "platform": ("platform", "network", "source", "site"),
    "handle": ("handle", "username", "user", "screen name", "account", "author"),
    "url": ("url", "link", "profile url", "profile"),
    "followers": ("followers", "follower count", "audience", "subscribers"),
    "topics": ("topics", "topic", "niche", "categories"),
    "languages": ("languages", "language", "lang"),
    "region": ("region", "country", "location"),
    "email": ("email", "e-mail", "contact email"),
    "phone": ("phone", "telephone", "contact phone"),
    "tags": ("tags", "labels"),
    "notes": ("notes", "note", "comments"),
}
FIELDS = tuple(FIELD_ALIASES)
REQUIRED = ("name", "platform", "handle")
MAX_ROWS = 5000
PLATFORM_NAMES = {
    **{value: value for value in InfluencerPlatform.values},
    **{label.lower(): value for value, label in InfluencerPlatform.choices},
    "twitter": InfluencerPlatform.X,
    "ig": InfluencerPlatform.INSTAGRAM,
    "yt": InfluencerPlatform.YOUTUBE,
}


@dataclass
class Upload:
    """A read file: its header, a proposed mapping and its rows as short texts."""

    name: str
    header: list[str]
    rows: list[dict[str, str]]
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class Checked:
    """The outcome of checking every row: the rows ready to import, or the broken ones."""

    valid: list[dict[str, Any]] = field(default_factory=list)
    # (row number in the file, counting the header as row 1; field; message)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.valid)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_upload(stream: IO[bytes], name: str) -> Upload:
    """Read an uploaded CSV/XLSX; raises ImportFileError for an unreadable file."""
    fmt = detect_format(name)
    if fmt not in ("csv", "xlsx"):
        raise ImportFileError(f"“{name}” is not a CSV or XLSX file.")
    header, iterator = read_rows(stream, fmt)
    rows = []
    for row in iterator:
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS} rows; split it.")
        values = {column: _text(row.get(column)) for column in header if column}
        if any(values.values()):
            rows.append(values)
    if not rows:
        raise ImportFileError("The file has no rows under its header.")
    return Upload(name=name, header=[h for h in header if h], rows=rows, mapping=guess(header))


def guess(header: list[str]) -> dict[str, str]:
    """Our field → the file's column, from common header names."""
    lowered = {h.strip().lower(): h for h in header if h}
    mapping = {}
    for name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            if alias in lowered and lowered[alias] not in mapping.values():
                mapping[name] = lowered[alias]
                break
    return mapping


def check_mapping(mapping: dict[str, str], header: list[str]) -> None:
    """Refuse a mapping without the required fields or naming a column the file lacks."""
    errors = {}
    for name in REQUIRED:
        if not mapping.get(name):
            errors[name] = f"Choose the column that holds the {name}."
    for name, column in mapping.items():
        if column and column not in header:
            errors[name] = f"The file has no column “{column}”."
    if errors:
        raise ValidationError(errors)


def check_rows(agency: Agency, rows: list[dict[str, str]], mapping: dict[str, str]) -> Checked:
    """Validate every row against the mapping and the directory (duplicates)."""
    checked = Checked()
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        value = {name: row.get(column, "") for name, column in mapping.items() if column}
        problems: list[tuple[str, str]] = []
        for name in REQUIRED:
            if not value.get(name):
                problems.append((name, f"The {name} is empty."))
        platform = PLATFORM_NAMES.get(value.get("platform", "").lower())
        if value.get("platform") and platform is None:
            problems.append(("platform", f"“{value['platform']}” is not a platform we know."))
        followers = 0
        raw_followers = value.get("followers", "").replace(",", "").replace(" ", "")
        if raw_followers:
            try:
                followers = int(float(raw_followers))
                if followers < 0:
                    raise ValueError
            except ValueError:
                problems.append(("followers", f"“{value['followers']}” is not a follower count."))
        if value.get("email"):
            try:
                validate_email(value["email"])
            except ValidationError:
                problems.append(("email", f"“{value['email']}” is not an email address."))
        handle = services.clean_handle(value.get("handle", ""))
        if platform and handle:
            key = (platform, handle.lower())
            if key in seen:
                problems.append(("handle", f"@{handle} is also on row {seen[key]} of this file."))
            else:
                seen[key] = number
                existing = services.profile_duplicate(
                    agency=agency, platform=platform, handle=handle
                )
                if existing is not None:
                    problems.append(
                        (
                            "handle",
                            f"@{handle} is already in the directory: {existing.influencer.name} "
                            f"({existing.influencer.get_absolute_url()}).",
                        )
                    )
        if problems:
            checked.errors.extend((number, name, message) for name, message in problems)
            continue
        checked.valid.append(
            {
                "name": value["name"],
                "topics": value.get("topics", ""),
                "languages": value.get("languages", ""),
                "region": value.get("region", ""),
                "email": value.get("email", ""),
                "phone": value.get("phone", ""),
                "tags": value.get("tags", ""),
                "notes": value.get("notes", ""),
                "profiles": [
                    {
                        "platform": platform,
                        "handle": handle,
                        "url": value.get("url", ""),
                        "followers": followers,
                    }
                ],
                "_row": number,
            }
        )
    return checked


def influencers_import(
    *,
    actor: User | None,
    agency: Agency,
    rows: list[dict[str, str]],
    mapping: dict[str, str],
    file_name: str = "",
) -> tuple[list[Influencer], Checked]:
    """Check every row, then import all of them in one transaction — or none, if any
    row is broken (the returned ``Checked`` lists the broken rows). The agency's audit
    trail gets a row per influencer added and one for the import (file and count)."""
    check_mapping(mapping, sorted({c for row in rows for c in row}))
    checked = check_rows(agency, rows, mapping)
    if not checked.ok:
        return [], checked
    created = []
    with transaction.atomic():
        for data in checked.valid:
            data = dict(data)
            number = data.pop("_row")
            try:
                created.append(services.influencer_create(actor=actor, agency=agency, **data))
            except ValidationError as exc:
                # Checked above; a race with another import still undoes everything.
                transaction.set_rollback(True)
                for name, messages in exc.message_dict.items():
                    checked.errors.extend((number, name, m) for m in messages)
                return [], checked
        audit_record(
            agency=agency,
            actor=actor,
            action=AuditEvent.Action.INFLUENCERS_IMPORTED,
            name=file_name,
            count=len(created),
        )
    return created, checked
