"""Connectors: one module per platform behind one interface (:class:`base.Connector`).

``CONNECTORS`` maps the scheduled ``Source.Kind`` values to their connector; file import and
the push API are not fetched, they hand items of the generic shape to :func:`normalize_item`.

    connector = get_connector(source.kind)
    connector.validate_config(form_config)       # ValidationError keyed by field
    with HttpClient() as client:
        result = connector.fetch(source.config, source.cursor, client)   # FetchError on failure
    # result.posts, result.cursor (store it), result.not_modified, result.warnings
"""

from __future__ import annotations

from .base import (
    ConfigError,
    Connector,
    FetchResult,
    NormalizedPost,
    ParseError,
    normalize_item,
)
from .bluesky import BlueskyConnector, normalize_jetstream_event
from .hackernews import HackerNewsConnector
from .mastodon import MastodonConnector
from .reddit import RedditConnector
from .rss import RSSConnector

CONNECTORS: dict[str, Connector] = {
    connector.kind: connector
    for connector in (
        RSSConnector(),
        MastodonConnector(),
        BlueskyConnector(),
        RedditConnector(),
        HackerNewsConnector(),
    )
}


def get_connector(kind: str) -> Connector:
    """The connector of a Source kind; ``LookupError`` for kinds that are not fetched."""
    try:
        return CONNECTORS[kind]
    except KeyError:
        raise LookupError(f"No connector fetches sources of kind {kind!r}.") from None


__all__ = [
    "CONNECTORS",
    "ConfigError",
    "Connector",
    "FetchResult",
    "NormalizedPost",
    "ParseError",
    "get_connector",
    "normalize_item",
    "normalize_jetstream_event",
]
