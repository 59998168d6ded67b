"""File import (CSV, JSON, JSONL, XLSX exports of other tools) and the import_mentions command."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from listening import pipeline, services
from listening.importers import (
    ImportFileError,
    check_mapping,
    detect_format,
    guess_mapping,
    import_rows,
    read_rows,
)
from listening.models import Mention, Post

DATA = Path(__file__).resolve().parent / "data" / "imports"


@pytest.fixture(autouse=True)
def _fresh_matcher():
    pipeline.forget_compiled_queries()
    yield
    pipeline.forget_compiled_queries()


@pytest.fixture
def acme(world):
    """The brand listens for Acme; the foreign brand does too (imports must not reach it)."""
    services.query_create(
        actor=world.users["admin"], brand=world.brand, name="Acme", expression="acme"
    )
    services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Acme", expression="acme"
    )
    return world.brand


def run_import(path: Path, brand, mapping: dict[str, str] | None = None):
    with path.open("rb") as stream:
        header, rows = read_rows(stream, detect_format(path.name))
        mapping = mapping or guess_mapping(header)
        check_mapping(mapping, header)
        return import_rows(rows, mapping, brand_id=brand.pk)


def naive(hour: int) -> datetime:
    """A spreadsheet's date: no time zone (read as UTC)."""
    return datetime(2025, 5, 19, hour, 0, tzinfo=UTC).replace(tzinfo=None)


def xlsx_file(tmp_path: Path, rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    return path


# -- mapping -----------------------------------------------------------------------------


def test_guess_mapping_reads_a_brandwatch_header():
    with (DATA / "brandwatch.csv").open("rb") as stream:
        header, _ = read_rows(stream, "csv")

    mapping = guess_mapping(header)

    assert mapping["text"] == "Full Text"
    assert mapping["published_at"] == "Date"
    assert mapping["url"] == "Url"
    assert mapping["external_id"] == "Resource Id"
    assert mapping["author_handle"] == "Author"
    assert mapping["author_name"] == "Full Name"
    assert mapping["author_followers"] == "Reach (followers)"
    assert mapping["lang"] == "Language"
    assert mapping["likes"] == "Likes"
    assert mapping["replies"] == "Comments"


def test_check_mapping_names_a_missing_required_column():
    with (DATA / "no_text.csv").open("rb") as stream:
        header, _ = read_rows(stream, "csv")

    with pytest.raises(ValidationError) as excinfo:
        check_mapping(guess_mapping(header), header)

    assert set(excinfo.value.message_dict) == {"text"}


def test_check_mapping_refuses_a_column_the_file_lacks():
    with pytest.raises(ValidationError) as excinfo:
        check_mapping({"text": "Body", "published_at": "When"}, ["Body", "Date"])

    assert "published_at" in excinfo.value.message_dict


def test_it_refuses_a_format_it_cannot_read():
    with pytest.raises(ImportFileError):
        detect_format("export.pdf")


def test_it_refuses_json_without_a_list_of_posts():
    with pytest.raises(ImportFileError):
        read_rows(io.BytesIO(b"[]"), "json")
    with pytest.raises(ImportFileError):
        read_rows(io.BytesIO(b"{not json"), "json")


# -- imports -----------------------------------------------------------------------------


def test_it_imports_a_brandwatch_csv_reporting_broken_rows(acme, world):
    report = run_import(DATA / "brandwatch.csv", acme)

    assert report.rows == 5
    assert report.stored == 2
    assert report.unmatched == 1  # Globex
    assert [number for number, _ in report.errors] == [3, 5]
    assert "published_at" in report.errors[0][1]
    assert "text" in report.errors[1][1]
    mentions = Mention.objects.filter(brand=acme).select_related("post__author")
    assert mentions.count() == 2
    ann = Post.objects.get(external_id="res-1")
    assert ann.author.handle == "ann" and ann.author.followers == 1200
    assert ann.published_at == datetime(2025, 5, 19, 10, 15, tzinfo=UTC)
    assert (ann.likes, ann.replies, ann.lang) == (4, 1, "en")
    assert not Mention.objects.filter(brand=world.foreign_brand).exists()
    # Networks we do not have are imported under "import"; the file's name for it is kept.
    assert ann.platform == "import" and ann.raw["platform_in_file"] == "twitter"
    assert Post.objects.get(external_id="res-2").platform == "reddit"


def test_it_imports_the_same_file_twice_without_storing_anything_new(acme):
    run_import(DATA / "brandwatch.csv", acme)

    again = run_import(DATA / "brandwatch.csv", acme)

    assert again.stored == 0
    assert again.duplicates == 2
    assert Post.objects.count() == 2
    assert Mention.objects.count() == 2


def test_it_imports_jsonl_with_bad_lines_reported(acme):
    report = run_import(DATA / "mentions.jsonl", acme)

    assert report.rows == 4
    assert report.stored == 2
    errors = dict(report.errors)
    assert "not valid JSON" in " ".join(errors[3]["row"])
    assert "likes" in errors[4]
    assert Post.objects.get(external_id="j2").published_at == datetime.fromtimestamp(
        1747650000, tz=UTC
    )


def test_it_imports_json_with_the_posts_under_a_key(acme):
    report = run_import(DATA / "mentions.json", acme)

    assert (report.rows, report.stored, report.invalid) == (2, 2, 0)
    review = Post.objects.get(external_id="101")
    assert review.url == "https://blog.example/acme-review"
    assert review.published_at == datetime(2025, 5, 19, 7, 0, tzinfo=UTC)


def test_it_imports_an_xlsx_export(acme, tmp_path):
    path = xlsx_file(
        tmp_path,
        [
            ["Date", "Full Text", "Author", "Followers", "Likes"],
            [naive(10), "Acme is on sale", "ann", 300, 7],
            [naive(11), "Acme unboxing video", "bob", None, None],
            ["not a date", "Acme third", "cy", None, None],
        ],
    )

    report = run_import(path, acme)

    assert (report.rows, report.stored) == (3, 2)
    assert [number for number, _ in report.errors] == [3]
    sale = Post.objects.get(text="Acme is on sale")
    assert sale.published_at == datetime(2025, 5, 19, 10, 0, tzinfo=UTC)
    assert (sale.likes, sale.author.followers) == (7, 300)
    assert run_import(path, acme).stored == 0  # ids made from the rows: the same file again


def test_it_uses_a_mapping_the_person_chose(acme, tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("Wann;Was;Wer\n2025-05-19T10:00:00Z;Acme ist toll;ann\n", encoding="utf-8")

    report = run_import(
        path, acme, mapping={"published_at": "Wann", "text": "Was", "author_handle": "Wer"}
    )

    assert report.stored == 1
    assert Post.objects.get().author.handle == "ann"


def test_it_reads_a_cp1252_csv(acme, tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("date,text\n2025-05-19,Acme caf\xe9 \x80 price\n".encode("latin-1"))

    report = run_import(path, acme)

    assert report.stored == 1
    assert Post.objects.get().text == "Acme café € price"


# -- the command -------------------------------------------------------------------------


def test_the_command_imports_and_prints_its_summary(acme):
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_mentions", str(DATA / "brandwatch.csv"), brand=acme.slug, stdout=out, stderr=err
    )

    assert "rows=5 stored=2 duplicates=0 unmatched=1 invalid=2" in out.getvalue()
    assert "row 3: published_at:" in err.getvalue()
    assert "row 5: text:" in err.getvalue()


def test_the_command_takes_a_mapping(acme, tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("Wann,Was\n2025-05-19T10:00:00Z,Acme rocks\n", encoding="utf-8")
    out = io.StringIO()

    call_command(
        "import_mentions",
        str(path),
        brand=acme.slug,
        mapping='{"published_at": "Wann", "text": "Was"}',
        stdout=out,
    )

    assert "rows=1 stored=1" in out.getvalue()


def test_the_command_refuses_an_unknown_brand(world):
    with pytest.raises(CommandError, match="nope"):
        call_command("import_mentions", str(DATA / "brandwatch.csv"), brand="nope")


def test_the_command_refuses_a_missing_file(world):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_mentions", str(DATA / "missing.csv"), brand=world.brand.slug)


def test_the_command_says_which_column_is_missing(world):
    with pytest.raises(CommandError, match="text"):
        call_command("import_mentions", str(DATA / "no_text.csv"), brand=world.brand.slug)


def test_the_command_refuses_a_mapping_that_is_not_json(world):
    with pytest.raises(CommandError, match="--mapping"):
        call_command(
            "import_mentions",
            str(DATA / "brandwatch.csv"),
            brand=world.brand.slug,
            mapping="{text: Full Text",
        )


def test_the_command_refuses_a_mapping_that_is_not_an_object(world):
    with pytest.raises(CommandError, match="object"):
        call_command(
            "import_mentions", str(DATA / "brandwatch.csv"), brand=world.brand.slug, mapping="[1]"
        )


def test_the_command_takes_a_long_mapping_inline(acme):
    mapping = '{"text": "Full Text", "published_at": "Date"' + " " * 300 + "}"
    out = io.StringIO()

    call_command(
        "import_mentions",
        str(DATA / "brandwatch.csv"),
        brand=acme.slug,
        mapping=mapping,
        stdout=out,
    )

    assert "stored=2" in out.getvalue()


def test_the_command_refuses_an_unknown_default_platform(world):
    with pytest.raises(CommandError, match="--platform"):
        call_command(
            "import_mentions",
            str(DATA / "brandwatch.csv"),
            brand=world.brand.slug,
            platform="myspace",
        )


def test_the_command_says_a_jsonl_file_is_not_utf8(world, tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes('{"text": "caf\xe9"}\n'.encode("latin-1"))

    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_mentions", str(path), brand=world.brand.slug)


def test_it_refuses_a_csv_that_is_no_known_text_encoding(tmp_path):
    with pytest.raises(ImportFileError, match="UTF-8"):
        read_rows(io.BytesIO(b"date,text\n2025-05-19,caf\x81\xff\n"), "csv")
