"""Signals the listening core sends for the apps built on it (insights, alerts, inbox),
which listening itself never imports."""

from django.dispatch import Signal

# Many stored mentions of one brand changed sentiment at once (phrase rules re-applied):
# sent on commit with ``brand_id``; per-mention saves are not sent for these.
mentions_rescored = Signal()
