"""Where the influencers app hears about new mentions: the pipeline's ``on_new_mentions``
hook (run on commit after each batch) queues a task that links matching profiles to the
new Authors, then one that matches the collaborations' content to the new mentions."""

from __future__ import annotations

from listening.pipeline import on_new_mentions

_connected = False


def _after_batch(mention_ids: list[int]) -> None:
    from influencers.tasks import link_authors, match_collaborations

    if mention_ids:
        link_authors.delay(list(mention_ids))
        # After linking: a new Author's posts may be an influencer's campaign content.
        match_collaborations.delay(list(mention_ids))


def connect() -> None:
    """Register the hook once per process."""
    global _connected
    if not _connected:
        on_new_mentions(_after_batch)
        _connected = True


def _campaign_section(campaign, user):
    from influencers import selectors

    return "influencers/_campaign_collaborations.html", {
        "collaborations": selectors.campaign_collaborations(campaign),
        "campaign": campaign,
        "rate_card": selectors.emv.rate_card(),
    }


def extend_campaigns() -> None:
    """Fill the campaigns app's extension points once per process: collaborators' posts
    count as the campaign's influencer mentions, and the campaign page and report show
    a collaborations section (and the report exports it)."""
    from campaigns import extensions
    from influencers import selectors

    if selectors.campaign_collaboration_mentions not in extensions.influencer_mention_sources:
        extensions.influencer_mention_sources.append(selectors.campaign_collaboration_mentions)
    if _campaign_section not in extensions.campaign_sections:
        extensions.campaign_sections.append(_campaign_section)
    extensions.report_tables["collaborations"] = (
        "Influencer collaborations",
        selectors.collaboration_report_table,
    )
