"""Print how much the access suite covered, under pytest's summary."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from tests.access.test_routes import TOTALS

    if TOTALS["requests"]:
        terminalreporter.write_line(
            f"access suite: {TOTALS['brand routes']} brand routes and "
            f"{TOTALS['agency routes']} agency routes checked with {TOTALS['requests']} "
            "requests (7 people: admin, manager, analyst, client, outsider, foreign admin, "
            "anonymous)"
        )
