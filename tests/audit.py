"""Reading the audit trail in tests: the rows one block of code wrote, and nothing the
set-up wrote before it (the ``world`` fixture's own brand, role and agency rows)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import Max

from socialhub.models import AuditEvent


@contextmanager
def recorded() -> Iterator[list[AuditEvent]]:
    """``with recorded() as events: ...``: after the block, ``events`` holds the audit
    rows it wrote, oldest first. Put ``pytest.raises`` inside it to see that a refused
    write left none."""
    start = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    events: list[AuditEvent] = []
    yield events
    events.extend(
        AuditEvent.objects.filter(id__gt=start).select_related("actor", "brand").order_by("id")
    )
