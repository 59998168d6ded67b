"""Import an export from another listening tool into one brand."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from listening.importers import (
    ImportFileError,
    check_mapping,
    detect_format,
    guess_mapping,
    import_rows,
    read_rows,
)
from listening.models import Platform
from socialhub.models import Brand


class Command(BaseCommand):
    help = (
        "Import mentions from a CSV, JSON, JSONL or XLSX file into a brand. Columns are "
        "mapped from common header names; pass --mapping to choose them yourself."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--brand", required=True, help="The brand's slug.")
        parser.add_argument(
            "--mapping",
            help="JSON (or a path to a JSON file): our field → column, e.g. "
            '\'{"text": "Full Text", "published_at": "Date"}\'.',
        )
        parser.add_argument("--platform", default="import", help="Platform for rows without one.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        brand = Brand.objects.filter(slug=options["brand"]).first()
        if brand is None:
            raise CommandError(f"No brand with the slug “{options['brand']}”.")
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        if options["platform"] not in Platform.values:
            raise CommandError("--platform must be one of: " + ", ".join(Platform.values) + ".")
        try:
            fmt = detect_format(path.name)
            with path.open("rb") as stream:
                header, rows = read_rows(stream, fmt)
                mapping = guess_mapping(header)
                if options["mapping"]:
                    mapping.update(self.chosen_mapping(options["mapping"]))
                check_mapping(mapping, header)
                self.stdout.write("Columns: " + ", ".join(f"{k} ← {v}" for k, v in mapping.items()))
                report = import_rows(
                    rows, mapping, brand_id=brand.pk, default_platform=options["platform"]
                )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(f"Column mapping: {exc.message_dict}") from exc
        for number, errors in report.errors[:20]:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
            self.stderr.write(f"row {number}: {detail}")
        if report.invalid > 20:
            self.stderr.write(f"… and {report.invalid - 20} more rows with errors")
        self.stdout.write(
            f"rows={report.rows} stored={report.stored} duplicates={report.duplicates} "
            f"unmatched={report.unmatched} invalid={report.invalid}"
        )

    def chosen_mapping(self, raw: str) -> dict[str, str]:
        """--mapping: JSON, or a path to a JSON file, holding one object."""
        try:
            if Path(raw).is_file():
                raw = Path(raw).read_text()
        except OSError:  # JSON longer than a file name can be: it is not a path
            pass
        try:
            mapping = json.loads(raw)
        except ValueError as exc:
            raise CommandError(f"--mapping is not valid JSON: {exc}") from exc
        if not isinstance(mapping, dict):
            raise CommandError("--mapping must be a JSON object: our field → column.")
        return mapping
