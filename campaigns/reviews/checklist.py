"""The review checklist: the questions a campaign review walks through (DESIGN.md
"Campaigns: plan → measure → adjust"), each with a key (stored in ``Review.answers``),
the question and a hint. ``prefill`` adds what the data already says, where it is cheap
to read, so the reviewer starts from facts rather than a blank box."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaigns.models import Campaign


@dataclass(frozen=True)
class Question:
    """One question of the checklist."""

    key: str
    question: str
    hint: str


CHECKLIST: tuple[Question, ...] = (
    Question(
        "listening",
        "Where are we listening?",
        "The sources and platforms we hear from, and the queries that measure the campaign.",
    ),
    Question(
        "conversations",
        "Which conversations?",
        "The topics, hashtags and questions people raise about the brand and the campaign.",
    ),
    Question(
        "analysis",
        "What analysis did we run?",
        "Volume, sentiment, share of voice, emerging terms, top authors: what did we look at?",
    ),
    Question(
        "sharing",
        "How is listening shared with marketing, PR, sales and support?",
        "Who receives the digest, the alerts, the inbox; what did each team do with it?",
    ),
    Question(
        "benchmarks",
        "Benchmarks",
        "Competitors and earlier periods we compare against.",
    ),
    Question(
        "goals",
        "Goals and how they are measured",
        "Each KPI, its baseline, its target and where its value comes from.",
    ),
    Question(
        "communities",
        "Which communities, participants and influencers?",
        "Where the campaign's audience gathers, who speaks most, who carries weight.",
    ),
    Question(
        "strategy",
        "Strategy",
        "What the campaign is trying to change, and for whom.",
    ),
    Question(
        "tactics",
        "Tactics",
        "What we do to get there: formats, timing, offers, partnerships.",
    ),
    Question(
        "tools",
        "Tools",
        "The channels and tools the campaign uses.",
    ),
    Question(
        "content",
        "Content",
        "What we published and planned, and what worked.",
    ),
    Question(
        "engagement",
        "What we engaged in",
        "Replies, conversations joined, issues handled, people thanked.",
    ),
)
KEYS: tuple[str, ...] = tuple(q.key for q in CHECKLIST)
# An answer is a few paragraphs, not a document.
ANSWER_MAX_LENGTH = 5000


def prefill(campaign: Campaign) -> dict[str, str]:
    """What the data says for some questions (key → a sentence), read in a few queries."""
    from campaigns.reviews import selectors

    facts = selectors.checklist_facts(campaign)
    hints: dict[str, str] = {}
    if facts["sources"] or facts["queries"]:
        parts = []
        if facts["sources"]:
            parts.append("Active sources: " + ", ".join(facts["sources"]) + ".")
        if facts["queries"]:
            parts.append(f"{facts['query_scope']}: " + ", ".join(facts["queries"]) + ".")
        hints["listening"] = " ".join(parts)
    if facts["hashtags"] or facts["expressions"]:
        parts = []
        if facts["hashtags"]:
            parts.append("Hashtags: " + ", ".join(f"#{t}" for t in facts["hashtags"]) + ".")
        if facts["expressions"]:
            parts.append("Listening for: " + "; ".join(facts["expressions"]) + ".")
        hints["conversations"] = " ".join(parts)
    if facts["competitors"]:
        hints["benchmarks"] = "Competitor queries: " + ", ".join(facts["competitors"]) + "."
    if facts["kpis"]:
        hints["goals"] = "KPIs: " + ", ".join(facts["kpis"]) + "."
    if facts["channels"]:
        hints["tools"] = "Channels: " + ", ".join(facts["channels"]) + "."
    if facts["posts"]:
        hints["content"] = (
            "Posts: " + ", ".join(f"{n} {label.lower()}" for label, n in facts["posts"]) + "."
        )
    return hints


def questions_with_hints(campaign: Campaign | None) -> list[dict[str, str]]:
    """The checklist with the data's hint beside each question's own."""
    facts = prefill(campaign) if campaign is not None else {}
    return [
        {"key": q.key, "question": q.question, "hint": q.hint, "facts": facts.get(q.key, "")}
        for q in CHECKLIST
    ]
