"""File import: CSV, JSON, JSONL and XLSX exports from other listening tools.

Reading is streaming (rows are yielded, never all held), columns are mapped to our
fields by a mapping the person confirms (``guess_mapping`` proposes one from the
header), and every row is validated on its own: a broken row is reported with its
number and field, and the good rows are imported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.connectors.base import NormalizedPost, normalize_item, parse_timestamp
from listening.models import Platform
from listening.pipeline import ingest

# Our fields, and header names other tools use for them (lowercased, stripped).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "full text", "content", "message", "body", "snippet", "post", "mention"),
    "published_at": (
        "published_at",
        "date",
        "published",
        "created_at",
        "created",
        "time",
        "timestamp",
        "publication date",
        "published date",
    ),
    "url": ("url", "link", "permalink", "post url"),
    "external_id": ("external_id", "id", "post id", "mention id", "guid", "resource id"),
    "platform": ("platform", "source", "page type", "network", "site", "domain"),
    "author_handle": ("author_handle", "author", "handle", "username", "screen name", "user"),
    "author_name": ("author_name", "full name", "name", "author name", "display name"),
    "author_followers": ("author_followers", "followers", "follower count", "reach (followers)"),
    "lang": ("lang", "language"),
    "likes": ("likes", "favorites", "favourites", "reactions"),
    "shares": ("shares", "retweets", "reposts", "reblogs"),
    "replies": ("replies", "comments"),
    "reach": ("reach", "impressions", "potential reach"),
}
REQUIRED = ("text", "published_at")
MAX_FILE_BYTES = 50 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing columns)."""


def detect_format(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in {"csv", "tsv", "txt"}:
        return "csv"
    if suffix in {"json", "jsonl", "ndjson", "xlsx"}:
        return "jsonl" if suffix == "ndjson" else suffix
    raise ImportFileError(f"“{name}” is not a file we can read: use CSV, JSON, JSONL or XLSX.")


def read_rows(stream: IO[bytes], fmt: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The header and an iterator of rows (dicts keyed by the file's column names)."""
    if fmt == "csv":
        raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ImportFileError("The file is larger than 50 MB; split it.")
        # Excel's "Unicode text" is UTF-16 with a byte-order mark; otherwise UTF-8, or
        # the Windows code page older exports use.
        encodings = ("utf-16",) if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ()
        for encoding in (*encodings, "utf-8-sig", "cp1252"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError("The file is neither UTF-8 nor Windows-1252 text.")
        sample = text[:10000]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if not header:
            raise ImportFileError("The CSV file has no header row.")
        return header, ({(k or "").strip(): v for k, v in row.items()} for row in reader)
    if fmt == "jsonl":
        lines = io.TextIOWrapper(stream, encoding="utf-8-sig")

        def jsonl_rows() -> Iterator[dict[str, Any]]:
            numbered = enumerate(lines, start=1)
            while True:
                try:
                    number, line = next(numbered)
                except StopIteration:
                    return
                except UnicodeDecodeError as exc:
                    raise ImportFileError("The file is not UTF-8 text.") from exc
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError:
                    yield {"__error__": f"line {number} is not valid JSON"}
                    continue
                yield value if isinstance(value, dict) else {"__error__": "not an object"}

        rows = jsonl_rows()
        first = next(rows, None)
        if first is None:
            raise ImportFileError("The file is empty.")
        header = [k for k in first if k != "__error__"]

        def chained() -> Iterator[dict[str, Any]]:
            yield first
            yield from rows

        return header, chained()
    if fmt == "json":
        try:
            data = json.load(io.TextIOWrapper(stream, encoding="utf-8-sig"))
        except ValueError as exc:
            raise ImportFileError(f"The file is not valid JSON: {exc}") from exc
        if isinstance(data, dict):
            # {"posts": [...]}, {"data": [...]}, {"results": [...]}: the first list found.
            data = next((v for v in data.values() if isinstance(v, list)), [data])
        if not isinstance(data, list) or not data:
            raise ImportFileError("The JSON file holds no list of posts.")
        header = sorted({k for row in data[:100] if isinstance(row, dict) for k in row})
        return header, (r if isinstance(r, dict) else {"__error__": "not an object"} for r in data)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ImportFileError(f"The spreadsheet cannot be opened: {exc}") from exc
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if not header_row:
            raise ImportFileError("The spreadsheet's first sheet is empty.")
        header = [str(h).strip() if h is not None else "" for h in header_row]
        return header, (dict(zip(header, row, strict=False)) for row in rows)
    raise ImportFileError(f"Unknown format {fmt}.")


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Our field → the file's column, from common header names of other tools."""
    lowered = {h.strip().lower(): h for h in header}
    mapping = {}
    for field_name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            if alias in lowered:
                mapping[field_name] = lowered[alias]
                break
    return mapping


def check_mapping(mapping: dict[str, str], header: list[str]) -> None:
    """Refuse a mapping that misses a required field or names a column the file lacks."""
    errors = {}
    for field_name in REQUIRED:
        if not mapping.get(field_name):
            errors[field_name] = f"Choose the column that holds {field_name.replace('_', ' ')}."
    for field_name, column in mapping.items():
        if field_name not in FIELD_ALIASES:
            errors[field_name] = f"“{field_name}” is not a field we import."
        elif column and column not in header:
            errors[field_name] = f"The file has no column “{column}”."
    if errors:
        raise ValidationError(errors)


@dataclass
class ImportReport:
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    errors: list[tuple[int, dict[str, list[str]]]] = field(default_factory=list)
    # Rows imported with a change worth telling (a date in the future, stored as now).
    warnings: list[tuple[int, dict[str, list[str]]]] = field(default_factory=list)
    # The publication times of the valid rows read.
    first_published: datetime | None = None
    last_published: datetime | None = None

    @property
    def invalid(self) -> int:
        return len(self.errors)


def import_rows(
    rows: Iterator[dict[str, Any]],
    mapping: dict[str, str],
    *,
    brand_id: int,
    default_platform: str = "import",
    batch_size: int = 1000,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Validate each row, run valid ones through the pipeline in batches for one brand.

    Row numbers in errors count data rows from 1 (the header is not a row).
    ``on_batch(report)`` is called after each batch (progress)."""
    report = ImportReport()
    batch: list[NormalizedPost] = []
    future = timezone.now() + timedelta(minutes=5)

    def flush() -> None:
        if batch:
            outcome = ingest(batch, brand_ids={brand_id})
            report.stored += outcome.outcomes.count("stored")
            report.duplicates += outcome.outcomes.count("duplicate")
            report.unmatched += outcome.outcomes.count("unmatched")
            batch.clear()
        if on_batch is not None:
            on_batch(report)

    for number, row in enumerate(rows, start=1):
        report.rows += 1
        if "__error__" in row:
            report.errors.append((number, {"row": [row["__error__"]]}))
            continue
        item = {
            name: row.get(column)
            for name, column in mapping.items()
            if column and row.get(column) not in (None, "")
        }
        if "platform" in item:
            # Other tools name networks we do not have (Brandwatch's "twitter", "news"):
            # those rows are imported under the default platform, keeping what the file said.
            claimed = str(item["platform"]).strip()
            if claimed.lower() in Platform.values:
                item["platform"] = claimed.lower()
            else:
                item["platform"] = default_platform
                item["platform_in_file"] = claimed
        if "external_id" not in item:
            # Exports without an id column: the same row imported twice is one post.
            basis = str(item.get("url") or "") or f"{item.get('text')}|{item.get('published_at')}"
            item["external_id"] = hashlib.sha1(basis.encode()).hexdigest()
        try:
            post = normalize_item(item, platform=default_platform)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
            report.errors.append((number, errors))
            continue
        claimed = parse_timestamp(item.get("published_at"))
        if claimed is not None and claimed > future:
            report.warnings.append(
                (
                    number,
                    {"published_at": ["The date is in the future; stored as the import time."]},
                )
            )
        if report.first_published is None or post.published_at < report.first_published:
            report.first_published = post.published_at
        if report.last_published is None or post.published_at > report.last_published:
            report.last_published = post.published_at
        batch.append(post)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


# -- uploaded files, kept on the server for the mapping step and the worker ------------

SAMPLE_ROWS = 5
SAMPLE_CHARS = 120


def import_root() -> Path:
    """The folder uploaded files are kept in: ``settings.VAR_DIR / "imports"``."""
    return Path(settings.VAR_DIR) / "imports"


def stored_path(relative: str) -> Path:
    """The absolute path of a kept file; refuses anything outside the import folder."""
    root = import_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ImportFileError("The uploaded file is not where imports are kept.")
    return path


def _sample_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"


def read_preview(
    path: Path, fmt: str, rows: int = SAMPLE_ROWS
) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows (as short texts, in header order) of a kept file.

    Raises ImportFileError when the file cannot be read as ``fmt``."""
    with path.open("rb") as stream:
        header, iterator = read_rows(stream, fmt)
        samples = []
        for row in iterator:
            if len(samples) >= rows:
                break
            if "__error__" in row:
                continue
            samples.append([_sample_value(row.get(column)) for column in header])
    return header, samples


def count_rows(path: Path, fmt: str) -> int:
    """How many data rows a kept file holds (one streaming pass; the progress bar's 100%)."""
    with path.open("rb") as stream:
        _header, iterator = read_rows(stream, fmt)
        return sum(1 for _row in iterator)
