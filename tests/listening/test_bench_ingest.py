"""bench_ingest runs the real pipeline and ends with its one-line figure."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from listening.models import Mention, Post, Query
from socialhub.models import Brand

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_ingests_generated_posts_and_prints_the_rate_last():
    out = StringIO()
    call_command(
        "bench_ingest", mentions=250, queries=40, batch=50, workers=1, keep=True, stdout=out
    )

    lines = out.getvalue().strip().splitlines()
    assert re.fullmatch(r"mentions_per_s=\d+ queries=40 db=\w+", lines[-1])
    stored = re.search(r"; (\d+) new mentions;", out.getvalue())
    assert stored and int(stored.group(1)) > 0
    brands = Brand.objects.filter(slug__startswith="bench-")
    assert brands.count() == 20
    assert Query.objects.filter(brand__in=brands).count() == 40
    # Every generated post heard by a bench brand is stored once.
    assert Mention.objects.filter(brand__in=brands).count() >= int(stored.group(1))


def test_it_cleans_up_after_itself_unless_asked_to_keep():
    call_command("bench_ingest", mentions=120, queries=20, batch=50, workers=1, stdout=StringIO())

    assert not Brand.objects.filter(slug__startswith="bench-").exists()
    assert not Post.objects.filter(external_id__startswith="bench").exists()
