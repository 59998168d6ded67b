import re
from io import StringIO

from django.core.management import call_command

from listening.insights.models import AuthorDay, DayRollup, TermDay
from listening.models import Mention, MentionMatch, Rollup
from socialhub.models import Brand


def test_the_benchmark_loads_mentions_and_rollups_and_ends_with_its_line(db):
    out = StringIO()
    call_command("bench_dashboard", mentions=300, brands=3, runs=2, stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"p95_ms=\d+ naive_p95_ms=\d+ speedup=\d+ mentions=300", last), last

    brands = Brand.objects.filter(agency__slug="bench-dashboard")
    assert brands.count() == 3
    assert Mention.objects.filter(brand__in=brands).count() == 300
    matches = MentionMatch.objects.filter(brand__in=brands).count()
    # The rollups were computed from the generated rows: every match counted once.
    hourly = sum(Rollup.objects.filter(brand__in=brands).values_list("count", flat=True))
    daily = sum(DayRollup.objects.filter(brand__in=brands).values_list("count", flat=True))
    assert hourly == daily == matches
    assert sum(AuthorDay.objects.values_list("count", flat=True)) == 300
    assert TermDay.objects.filter(term="").exists()


def test_a_second_run_replaces_the_first_runs_data(db):
    call_command("bench_dashboard", mentions=60, brands=2, runs=1, stdout=StringIO())
    call_command("bench_dashboard", mentions=40, brands=2, runs=1, stdout=StringIO())
    brands = Brand.objects.filter(agency__slug="bench-dashboard")
    assert brands.count() == 2
    assert Mention.objects.filter(brand__in=brands).count() == 40
