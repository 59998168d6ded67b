"""The campaign report: KPIs against target and baseline, listening during the campaign
against the period before it, the best and worst posts, influencer collaborations (once
the influencer app adds them), reviews and decisions. Its tables are exported as CSV or
XLSX with the same cell safety as the mention export (``listening.reports.exports``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from campaigns import extensions, kpis
from campaigns.models import Campaign, Review, ReviewDecision
from campaigns.reviews import selectors
from listening.reports.exports import BOM, XLSX_MAX_ROWS, safe_text

TABLES: dict[str, str] = {
    "kpis": "KPIs",
    "listening": "Listening",
    "posts": "Posts",
    "decisions": "Decisions",
}
NOT_HEARD = "not yet heard"


def tables() -> dict[str, str]:
    """The exportable tables: the report's own and those registered by the apps built
    on campaigns (``campaigns.extensions.report_tables``)."""
    return {**TABLES, **{key: title for key, (title, _) in extensions.report_tables.items()}}


def _pct_change(now: float | None, before: float | None) -> float | None:
    if now is None or before in (None, 0):
        return None
    return round((now - before) / abs(before) * 100, 1)


@dataclass
class CampaignReport:
    """Everything the report page and its exports show, read once."""

    campaign: Campaign
    zone: ZoneInfo
    kpis: list[dict[str, Any]]
    listening: dict[str, Any]
    ranking: selectors.PostRanking
    reviews: list[Review]
    generated_at: datetime = field(default_factory=lambda: datetime.now(ZoneInfo("UTC")))

    @property
    def is_empty(self) -> bool:
        return not (self.kpis or self.ranking.ranked or self.ranking.unheard or self.reviews)

    @property
    def decisions(self) -> list[tuple[Review, ReviewDecision]]:
        return [(r, d) for r in sorted(self.reviews, key=_review_order) for d in r.decisions.all()]

    # -- tables (the page's and the exports') ---------------------------------------------

    def table(self, name: str) -> tuple[list[str], list[list[Any]]]:
        """One table as (header, rows of typed cells)."""
        if name in extensions.report_tables:
            return extensions.report_tables[name][1](self.campaign)
        return getattr(self, f"_{name}_table")()

    def _kpis_table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "KPI",
            "Unit",
            "Direction",
            "Baseline",
            "Target",
            "Current",
            "Change vs baseline (%)",
            "Expected today",
            "Pacing",
        ]
        rows = [
            [
                k["label"],
                k["unit"],
                k["direction"],
                k["baseline"],
                k["target"],
                k["current"],
                _pct_change(k["current"], k["baseline"]),
                k["expected"],
                k["pacing_label"],
            ]
            for k in self.kpis
        ]
        return header, rows

    def listening_rows(self) -> list[dict[str, Any]]:
        """Per compared metric: before, during, after and the change during vs before."""
        periods = {p["key"]: p for p in self.listening.get("periods", [])}
        rows = []
        for metric in self.listening.get("metrics", []):
            key = metric["key"]

            def figure(period: str, key: str = key) -> float | None:
                p = periods.get(period)
                return p["figures"].get(key) if p and p["started"] else None

            before, during, after = figure("before"), figure("during"), figure("after")
            rows.append(
                {
                    "label": metric["label"],
                    "unit": metric["unit"],
                    "before": before,
                    "during": during,
                    "after": after,
                    "change": _pct_change(during, before),
                }
            )
        return rows

    def listening_periods(self) -> list[dict[str, Any]]:
        return list(self.listening.get("periods", []))

    def _listening_table(self) -> tuple[list[str], list[list[Any]]]:
        spans = {p["key"]: p for p in self.listening_periods()}

        def title(key: str, label: str) -> str:
            p = spans.get(key)
            if not p or not p["started"]:
                return f"{label} (not yet)"
            return f"{label} ({p['start']} – {p['end']})"

        header = [
            "Metric",
            "Unit",
            title("before", "Before"),
            title("during", "During"),
            title("after", "After"),
            "Change during vs before (%)",
        ]
        rows = [
            [r["label"], r["unit"], r["before"], r["during"], r["after"], r["change"]]
            for r in self.listening_rows()
        ]
        return header, rows

    def _posts_table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Rank",
            f"Published ({self.zone.key})",
            "Channel",
            "Text",
            "URL",
            "Likes",
            "Shares",
            "Replies",
            "Engagement",
        ]
        rows = []
        for n, post in enumerate(self.ranking.ranked, start=1):
            heard = post.mention.post
            rows.append(
                [
                    n,
                    self.local(post.published_at),
                    str(post.account),
                    post.text,
                    post.published_url,
                    heard.likes,
                    heard.shares,
                    heard.replies,
                    post.engagement,
                ]
            )
        for post in self.ranking.unheard:
            rows.append(
                [
                    None,
                    self.local(post.published_at),
                    str(post.account),
                    post.text,
                    post.published_url,
                    None,
                    None,
                    None,
                    NOT_HEARD,
                ]
            )
        return header, rows

    def _decisions_table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Review date",
            "Reviewed by",
            "Verdict",
            "Subject",
            "Note",
            "Query",
            "Posts",
            "Links",
        ]
        rows = []
        for review, d in self.decisions:
            rows.append(
                [
                    review.date,
                    review.author.display_name if review.author else "",
                    d.get_verdict_display(),
                    d.subject,
                    d.note,
                    d.query.name if d.query else "",
                    "; ".join(p.text[:60] for p in d.posts.all()),
                    "; ".join(f"{link['label']} <{link['url']}>" for link in d.links),
                ]
            )
        return header, rows

    def local(self, value: datetime | None) -> datetime | None:
        # Spreadsheets have no time zones: naive local time, the zone is in the header.
        return value.astimezone(self.zone).replace(tzinfo=None, microsecond=0) if value else None


def _review_order(review: Review) -> tuple:
    return (review.date, review.pk)


def campaign_report(campaign: Campaign) -> CampaignReport:
    """The report of ``campaign`` as of now."""
    results = [r.as_dict() for r in kpis.evaluate(campaign)]
    return CampaignReport(
        campaign=campaign,
        zone=ZoneInfo(campaign.brand.timezone),
        kpis=results,
        listening=kpis.compare_periods(campaign),
        ranking=selectors.campaign_posts_ranking(campaign),
        reviews=list(selectors.review_list(campaign)),
    )


# -- exports -------------------------------------------------------------------------------


def _tidy(value: Any) -> Any:
    # KPI values are floats; a count of 2 reads "2", not "2.0".
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _csv_cell(value: Any) -> Any:
    value = _tidy(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        return safe_text(value)
    return value


def csv_chunks(header: list[str], rows: list[list[Any]]) -> Iterator[str]:
    """The table as CSV text (UTF-8 with a BOM for Excel), one piece per 500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(v) for v in row])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    value = _tidy(value)
    if isinstance(value, str):
        return safe_text(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def write_xlsx(title: str, header: list[str], rows: list[list[Any]], out: IO[bytes]) -> int:
    """The table as an XLSX workbook (write-only: rows go to disk as they come)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(header)
    written = 0
    for row in rows[:XLSX_MAX_ROWS]:
        sheet.append([_xlsx_cell(v) for v in row])
        written += 1
    workbook.save(out)
    return written


def export_filename(campaign: Campaign, table: str, extension: str) -> str:
    stamp = datetime.now(ZoneInfo("UTC")).strftime("%Y%m%d-%H%M")
    return f"{campaign.brand.slug}-campaign-{campaign.pk}-{table}-{stamp}.{extension}"
