"""Extension points of the campaign pages and KPIs, filled by the apps built on
campaigns (imports flow one way: campaigns never imports them).

- ``influencer_mention_sources``: each ``source(campaign, start, end)`` returns the
  ``(mention id, UTC day)`` of mentions that count as influencer mentions of the
  campaign in [start, end] (whole UTC days), on top of the authors at the KPI's follower
  threshold; ``campaigns.kpis`` counts each mention once.
- ``campaign_sections``: each ``section(campaign, user)`` returns ``(template name,
  context)`` for a section of the campaign page and of the campaign report (rendered
  with ``section`` = the context and ``in_report`` set on the report), or None.
- ``report_tables``: ``{key: (title, table(campaign) -> (header, rows))}``, extra tables
  of the campaign report's CSV/XLSX export.

Influencers registers its callables in ``InfluencersConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from campaigns.models import Campaign

MentionSource = Callable[[Campaign, date, date], Iterable[tuple[int, date]]]
Section = Callable[[Campaign, Any], tuple[str, dict[str, Any]] | None]
Table = Callable[[Campaign], tuple[list[str], list[list[Any]]]]

influencer_mention_sources: list[MentionSource] = []
campaign_sections: list[Section] = []
report_tables: dict[str, tuple[str, Table]] = {}


def sections_for(campaign: Campaign, user: Any) -> list[tuple[str, dict[str, Any]]]:
    """The registered sections of a campaign's page (or report), in order."""
    out = []
    for section in campaign_sections:
        found = section(campaign, user)
        if found is not None:
            out.append(found)
    return out


def influencer_mentions(campaign: Campaign, start: date, end: date) -> dict[int, date]:
    """Mention id → day, from every registered source (each mention once)."""
    found: dict[int, date] = {}
    for source in influencer_mention_sources:
        for mention_id, day in source(campaign, start, end):
            found.setdefault(mention_id, day)
    return found
