"""Listen to Bluesky's Jetstream firehose until stopped (the loop is listening.jetstream)."""

from __future__ import annotations

import signal
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from listening.jetstream import DEFAULT_URL, JetstreamConsumer


class Command(BaseCommand):
    help = (
        "Listen to Bluesky's Jetstream firehose: every new post is matched against every "
        "active query as it is published. Resumes from the cursor in var/jetstream/cursor; "
        "stop with Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default=DEFAULT_URL, help="Jetstream's subscribe address.")
        parser.add_argument("--batch", type=int, default=200, help="Posts per pipeline batch.")
        parser.add_argument(
            "--flush-seconds",
            type=float,
            default=2.0,
            help="Store a smaller batch after this many seconds.",
        )

    def handle(self, *args, **options):
        if urlsplit(options["url"]).scheme not in ("ws", "wss"):
            raise CommandError("--url must be a ws:// or wss:// address.")
        if options["batch"] < 1 or options["flush_seconds"] < 0:
            raise CommandError("--batch must be at least 1 and --flush-seconds 0 or more.")
        consumer = JetstreamConsumer(
            url=options["url"],
            batch_size=options["batch"],
            flush_seconds=options["flush_seconds"],
        )
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: consumer.stop())
        stats = consumer.run()
        self.stdout.write(
            f"Stopped after {stats.messages} messages: {stats.posts} posts, "
            f"{stats.new_mentions} new mentions, {stats.malformed} malformed, "
            f"{stats.disconnects} disconnects."
        )
