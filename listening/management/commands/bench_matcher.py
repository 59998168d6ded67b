"""Time the listening query Matcher on synthetic en/zh/ru posts.

    python manage.py bench_matcher --queries 200

The last line is ``posts_per_s=N queries=Q`` (CPU-time throughput of this process).
"""

from django.core.management.base import BaseCommand

from listening.querylang.bench import run_benchmark


class Command(BaseCommand):
    help = "Time the query Matcher on synthetic posts; last line: posts_per_s=N queries=Q."

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=200, help="number of queries")
        parser.add_argument("--posts", type=int, default=10_000, help="posts to time")
        parser.add_argument("--warmup", type=int, default=2_000, help="posts before timing")

    def handle(self, *args, **options):
        result = run_benchmark(options["queries"], options["posts"], options["warmup"])
        self.stdout.write(
            f"queries={result.queries} posts={result.posts} "
            f"build_s={result.build_seconds:.2f} "
            f"evaluated_per_post={result.evaluated_per_post:.2f} "
            f"always_evaluated={result.always_evaluated} "
            f"matched_posts={result.matched_posts} matches={result.matches} "
            f"wall_posts_per_s={result.wall_posts_per_s:.0f}"
        )
        self.stdout.write(f"posts_per_s={result.posts_per_s:.0f} queries={result.queries}")
