"""The extension point of the brand's home page, filled by the apps built on the core
(imports flow one way: socialhub never imports them).

- ``brand_sections``: each ``section(brand, user)`` returns ``(template name, context)``
  for a card of the brand's home (rendered with ``section`` = the context and ``brand``),
  or None when the user's role may not open that area. A section reads only what its
  card shows, in a few queries whatever the amount of data.

Each app registers its callables in its ``AppConfig.ready`` through ``register``; apps
are readied in ``INSTALLED_APPS`` order, so the cards follow the work loop: listening,
inbox, alerts, campaigns, calendar, influencers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from socialhub.models import Brand

logger = logging.getLogger(__name__)

Section = Callable[[Brand, Any], tuple[str, dict[str, Any]] | None]

brand_sections: list[Section] = []


def register(section: Section) -> None:
    """Add a section of the brand's home, once however often ``ready()`` runs."""
    if section not in brand_sections:
        brand_sections.append(section)


def sections_for(brand: Brand, user: Any) -> list[tuple[str, dict[str, Any]]]:
    """The registered sections of a brand's home that ``user`` may see, in order. A
    section that fails is logged and left out: one broken card never takes the brand's
    home down with it."""
    out = []
    for section in brand_sections:
        try:
            found = section(brand, user)
        except Exception:
            logger.exception(
                "The brand home section %s failed", getattr(section, "__name__", section)
            )
            continue
        if found is not None:
            out.append(found)
    return out
