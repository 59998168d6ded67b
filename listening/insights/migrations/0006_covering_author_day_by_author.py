"""PostgreSQL: the (author, brand, day) index also carries the figures (INCLUDE), so
the top authors' exact period figures (one short range per candidate author) are
index-only scans. Same name and keys: Django's state needs no change."""

from django.db import migrations

FIGURES = "platform, count, reach, engagement, negative, neutral, positive"


def _swap(schema_editor, covering: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    extra = f" INCLUDE ({FIGURES})" if covering else ""
    schema_editor.execute("DROP INDEX IF EXISTS author_day_by_author")
    schema_editor.execute(
        f"CREATE INDEX author_day_by_author ON insights_authorday (author_id, brand_id, day){extra}"
    )


def forwards(apps, schema_editor):
    _swap(schema_editor, True)


def backwards(apps, schema_editor):
    _swap(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [("insights", "0005_author_shortlist_and_sketch")]

    operations = [migrations.RunPython(forwards, backwards)]
