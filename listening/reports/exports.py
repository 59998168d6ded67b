"""Writing the mention stream as CSV (streamed chunk by chunk) and XLSX (write-only
workbook into a temporary file): memory stays flat whatever the number of rows.

Every text cell is made safe for spreadsheets: a cell starting with = + - @ (or a tab or
carriage return) would run as a formula in Excel, LibreOffice or Google Sheets, so it
is prefixed with an apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from listening.models import Platform

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# XLSX (XML 1.0) cannot hold most control characters; openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A worksheet holds 1,048,576 rows; the header takes one.
XLSX_MAX_ROWS = 1_048_575
BOM = "\ufeff"
PLATFORMS = dict(Platform.choices)


def header(zone: ZoneInfo) -> list[str]:
    """Column titles; times are in the brand's time zone, which the title names."""
    return [
        f"Published ({zone.key})",
        "Platform",
        "Author handle",
        "Author name",
        "Author followers",
        "Text",
        "URL",
        "Language",
        "Sentiment",
        "Sentiment corrected",
        "Sentiment score",
        "Reach",
        "Likes",
        "Shares",
        "Replies",
        "Matched queries",
        f"Ingested ({zone.key})",
    ]


def safe_text(value: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    # Spreadsheets have no time zones: naive local time, the zone is in the header.
    return value.astimezone(zone).replace(tzinfo=None, microsecond=0) if value else None


def mention_row(row: dict[str, Any], zone: ZoneInfo) -> list[Any]:
    """One export row (``selectors.mention_export_rows``) as typed cells, in header order
    (numbers stay numbers); text is not yet made safe."""
    return [
        _local(row["published_at"], zone),
        PLATFORMS.get(row["platform"], row["platform"]),
        row["post__author__handle"] or "",
        row["post__author__name"] or "",
        row["post__author__followers"],
        row["post__text"],
        row["post__url"],
        row["lang"],
        row["sentiment"],
        "yes" if row["sentiment_source"] == "manual" else "no",
        round(row["sentiment_score"], 4),
        row["post__reach"],
        row["post__likes"],
        row["post__shares"],
        row["post__replies"],
        "; ".join(row["queries"]),
        _local(row["post__ingested_at"], zone),
    ]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        return safe_text(value)
    return value


def csv_chunks(rows: Iterable[dict[str, Any]], zone: ZoneInfo, chunk_size: int) -> Iterator[str]:
    """The CSV text, one piece per ``chunk_size`` rows (after the BOM and header), so a
    streaming response sends as it reads and holds at most one chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(zone))
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    written = 0
    for row in rows:
        writer.writerow([_csv_cell(v) for v in mention_row(row, zone)])
        written += 1
        if written % chunk_size == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(_XML_ILLEGAL.sub("", value))
    return value


def write_xlsx(rows: Iterable[dict[str, Any]], zone: ZoneInfo, out: IO[bytes]) -> int:
    """Write the mentions as an XLSX workbook into ``out`` (a file); returns the row count.

    openpyxl's write-only mode streams rows to disk instead of keeping cells in memory.
    Past the sheet's row limit the export stops with a closing note row.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Mentions")
    sheet.freeze_panes = "A2"
    sheet.append(header(zone))
    written = 0
    for row in rows:
        if written >= XLSX_MAX_ROWS - 1:
            sheet.append(["Stopped at the worksheet's row limit: export as CSV for every row."])
            break
        sheet.append([_xlsx_cell(v) for v in mention_row(row, zone)])
        written += 1
    workbook.save(out)
    return written
