"""Chart.js specs for the dashboard page, built from a ``Dashboard``: labels, datasets,
a drill-down link per point (a click opens the mention stream with that filter) and
the table shown as the chart's fallback (and exported as CSV/XLSX)."""

from __future__ import annotations

from typing import Any

from listening.insights.selectors import Dashboard, Split, Timeline

COLORS = {
    "brand": "#4f46e5",
    "negative": "#dc2626",
    "neutral": "#9ca3af",
    "positive": "#16a34a",
    "reach": "#0891b2",
    "engagement": "#d97706",
}
PALETTE = ["#db2777", "#0d9488", "#ca8a04", "#7c3aed", "#ea580c", "#2563eb"]


def _color(kind: str, i: int) -> str:
    return COLORS.get(kind) or PALETTE[i % len(PALETTE)]


def _timeline_chart(
    board: Dashboard,
    chart_id: str,
    title: str,
    t: Timeline,
    *,
    kind: str,
    export: str,
    link_of,
    unit: str = "",
) -> dict[str, Any]:
    datasets = []
    links = []
    for i, s in enumerate(t.series):
        datasets.append({"label": s.label, "data": s.data, "color": _color(s.kind, i)})
        links.append([link_of(s, lo, hi) for lo, hi in t.ranges] if link_of else [])
    rows = []
    for j, label in enumerate(t.labels):
        lo, hi = t.ranges[j]
        rows.append(
            {
                "cells": [label] + [s.data[j] for s in t.series],
                "link": board.mentions_url(start=lo, end=hi),
            }
        )
    return {
        "id": chart_id,
        "title": title,
        "type": kind,
        "labels": t.labels,
        "datasets": datasets,
        "links": links,
        "stacked": kind == "bar",
        "unit": unit,
        "header": [t.bucket.capitalize()] + [s.label for s in t.series],
        "rows": rows,
        "export": export,
    }


def _split_chart(
    board: Dashboard,
    chart_id: str,
    title: str,
    split: Split,
    *,
    param: str,
    kind: str = "bar",
    export: str,
) -> dict[str, Any]:
    labels = [label for _, label, _ in split.rows]
    data = [f.value for _, _, f in split.rows]
    links = [board.mentions_url(**{param: key}) for key, _, _ in split.rows]
    colors = [_color(key, i) for i, (key, _, _) in enumerate(split.rows)]
    return {
        "id": chart_id,
        "title": title,
        "type": kind,
        "labels": labels,
        "datasets": [
            {
                "label": "Mentions",
                "data": data,
                "colors": colors,
                "color": colors[0] if colors else "#4f46e5",
            }
        ],
        "links": [links],
        "stacked": False,
        "unit": "",
        "header": [title.split(" ")[0], "Mentions", "Previous period", "Change %"],
        "rows": [
            {"cells": [label, f.value, f.previous, f.change], "link": link}
            for (_, label, f), link in zip(split.rows, links, strict=True)
        ],
        "export": export,
    }


def charts_for(board: Dashboard) -> list[dict[str, Any]]:
    """Every chart of the page, in order."""

    def by_query(s, lo, hi):
        return board.mentions_url(start=lo, end=hi, query=s.query_id)

    def by_sentiment(s, lo, hi):
        return board.mentions_url(start=lo, end=hi, sentiment=s.kind)

    def plain(s, lo, hi):
        return board.mentions_url(start=lo, end=hi)

    sov = board.share_of_voice
    sov_split = Split([(k, name, count) for k, name, _share, count in sov["rows"]])
    sov_chart = _split_chart(
        board,
        "chart-sov",
        "Share of voice",
        sov_split,
        param="query",
        kind="doughnut",
        export="share_of_voice",
    )
    sov_chart["links"] = [
        [board.mentions_url(query=None if k == "brand" else k) for k, *_ in sov["rows"]]
    ]
    for row, link in zip(sov_chart["rows"], sov_chart["links"][0], strict=True):
        row["link"] = link
    sov_chart["header"] = ["Name", "Mentions", "Previous period", "Change %"]
    sov_chart["datasets"][0]["colors"] = [
        _color("brand" if k == "brand" else "", i) for i, (k, *_rest) in enumerate(sov["rows"])
    ]

    query_rows = board.query_sentiment
    qs_chart = {
        "id": "chart-query-sentiment",
        "title": "Sentiment per product and person",
        "type": "hbar",
        "labels": [q.name for q in query_rows],
        "datasets": [
            {"label": s.capitalize(), "data": [q.counts[s] for q in query_rows], "color": COLORS[s]}
            for s in ("negative", "neutral", "positive")
        ],
        "links": [
            [board.mentions_url(query=q.query_id, sentiment=s) for q in query_rows]
            for s in ("negative", "neutral", "positive")
        ],
        "stacked": True,
        "unit": "",
        "header": [
            "Query",
            "Kind",
            "Negative",
            "Neutral",
            "Positive",
            "Net sentiment",
            "Previous net",
        ],
        "rows": [
            {
                "cells": [
                    q.name,
                    q.kind,
                    q.counts["negative"],
                    q.counts["neutral"],
                    q.counts["positive"],
                    q.net.value,
                    q.net.previous,
                ],
                "link": board.mentions_url(query=q.query_id),
            }
            for q in query_rows
        ],
        "export": "query_sentiment",
    }
    charts = [
        _timeline_chart(
            board,
            "chart-volume",
            "Volume",
            board.volume,
            kind="line",
            export="volume",
            link_of=by_query,
        ),
        _split_chart(
            board,
            "chart-sentiment",
            "Sentiment split",
            board.sentiment["split"],
            param="sentiment",
            kind="doughnut",
            export="sentiment",
        ),
        _timeline_chart(
            board,
            "chart-sentiment-trend",
            "Sentiment over time",
            board.sentiment["trend"],
            kind="bar",
            export="sentiment_trend",
            link_of=by_sentiment,
        ),
        sov_chart,
        _timeline_chart(
            board,
            "chart-sov-trend",
            "Share of voice over time",
            sov["trend"],
            kind="line",
            export="share_of_voice_trend",
            link_of=by_query,
            unit="%",
        ),
        _timeline_chart(
            board,
            "chart-reach",
            "Reach and engagement",
            board.reach["trend"],
            kind="line",
            export="reach",
            link_of=plain,
        ),
        _split_chart(
            board,
            "chart-platforms",
            "Platform split",
            board.platforms,
            param="platform",
            export="platforms",
        ),
        _split_chart(
            board,
            "chart-languages",
            "Language split",
            board.languages,
            param="lang",
            export="languages",
        ),
    ]
    if query_rows:
        charts.append(qs_chart)
    return charts
