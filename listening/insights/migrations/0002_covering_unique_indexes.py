"""PostgreSQL: the counters' unique indexes also carry the figures (INCLUDE), so the
dashboard's range reads are index-only scans. Other databases keep plain ones; the
constraints' names and keys are unchanged, so Django's state needs no change."""

from django.db import migrations

COVERING = [
    (
        "insights_dayrollup",
        "unique_day_rollup_bucket",
        "brand_id, day, query_id, platform, sentiment, lang",
        "count, reach, engagement",
    ),
    ("insights_termday", "unique_term_day", "brand_id, day, term", "count"),
    (
        "insights_authorday",
        "unique_author_day",
        "brand_id, day, author_id",
        "platform, count, reach, engagement, negative, neutral, positive",
    ),
]


def _swap(schema_editor, covering: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, keys, include in COVERING:
        extra = f" INCLUDE ({include})" if covering else ""
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({keys}){extra}")


def forwards(apps, schema_editor):
    _swap(schema_editor, True)


def backwards(apps, schema_editor):
    _swap(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
