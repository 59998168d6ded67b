"""The export benchmark, at a size a test can afford."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from listening.models import Mention, Post
from socialhub.models import Brand

pytestmark = pytest.mark.django_db


def test_bench_export_fills_exports_cleans_up_and_ends_with_its_figures():
    out = StringIO()
    call_command("bench_export", rows=120, stdout=out)

    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(
        r"rows=120 csv_rows_per_s=\d+ csv_peak_mb=\d+\.\d "
        r"xlsx_rows_per_s=\d+ xlsx_peak_mb=\d+\.\d db=\w+",
        last,
    ), last
    assert not Brand.objects.filter(slug__startswith="bench-export").exists()
    assert not Mention.objects.exists()
    assert not Post.objects.exists()


def test_bench_export_can_measure_one_format():
    out = StringIO()
    call_command("bench_export", rows=10, format="csv", stdout=out)
    assert re.fullmatch(
        r"rows=10 csv_rows_per_s=\d+ csv_peak_mb=\d+\.\d db=\w+",
        out.getvalue().strip().splitlines()[-1],
    )
