"""The extension point of the brand's home page, filled by the apps built on the core
(imports flow one way: socialhub never imports them).

- ``brand_sections``: each ``section(brand, user)`` returns ``(template name, context)``
  for a card of the brand's home (rendered with ``section`` = the context and ``brand``),
  or None when the user's role may not open that area. A section reads only what its
  card shows, in a few queries whatever the amount of data.

- ``brand_figures``: each ``figures(brands, user)`` returns ``{brand id: [Figure]}``, a
  headline figure or two for each brand's card on the home page ("Your brands"), read
  for all the brands at once (a query or two whatever their number), scoped to ``user``.

Each app registers its callables in its ``AppConfig.ready`` through ``register``; apps
are readied in ``INSTALLED_APPS`` order, so the cards follow the work loop: listening,
inbox, alerts, campaigns, calendar, influencers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from socialhub.models import Brand

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Figure:
    """One figure of a brand card: "486 mentions (7 days)", with a link to its page and,
    when there is one, the change against the period before (a percentage)."""

    value: int
    label: str
    url: str
    change: float | None = None
    # What the change compares with, e.g. "against the 7 days before".
    change_note: str = ""
    # Shown as needing attention (e.g. new inbox items waiting).
    attention: bool = False


Section = Callable[[Brand, Any], tuple[str, dict[str, Any]] | None]
Figures = Callable[[list[Brand], Any], dict[int, list[Figure]]]

brand_sections: list[Section] = []
brand_figures: list[Figures] = []


def register(section: Section) -> None:
    """Add a section of the brand's home, once however often ``ready()`` runs."""
    if section not in brand_sections:
        brand_sections.append(section)


def register_figures(figures: Figures) -> None:
    """Add a source of brand-card figures, once however often ``ready()`` runs."""
    if figures not in brand_figures:
        brand_figures.append(figures)


def figures_for(brands: list[Brand], user: Any) -> dict[int, list[Figure]]:
    """Every registered figure of each brand's card, in registration order. A source
    that fails is logged and left out, as a section is."""
    out: dict[int, list[Figure]] = {brand.pk: [] for brand in brands}
    if not brands:
        return out
    for figures in brand_figures:
        try:
            found = figures(brands, user)
        except Exception:
            logger.exception("The brand figures %s failed", getattr(figures, "__name__", figures))
            continue
        for brand_id, items in found.items():
            if brand_id in out:
                out[brand_id].extend(items)
    return out


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
