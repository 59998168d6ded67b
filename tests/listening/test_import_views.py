"""The file import pages: upload, map the columns, watch the import run, past imports."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from listening import import_tasks, importers, pipeline, services
from listening.connectors.base import NormalizedPost
from listening.models import ImportJob, Mention, Post

DATA = Path(__file__).resolve().parent / "data" / "imports"


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    """Uploaded files are kept under VAR_DIR/imports: a per-test folder here."""
    settings.VAR_DIR = tmp_path / "var"
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


@pytest.fixture
def analyst(world):
    return world.client_for("analyst")


def url(name: str, brand, **kwargs) -> str:
    return reverse(f"listening:{name}", kwargs={"brand_slug": brand.slug, **kwargs})


def upload(client, brand, name: str, content: bytes):
    return client.post(
        url("importjob_list", brand), {"file": SimpleUploadedFile(name, content)}, follow=False
    )


def data_file(name: str) -> bytes:
    return (DATA / name).read_bytes()


def naive(hour: int) -> datetime:
    """A spreadsheet's date: no time zone (read as UTC)."""
    return datetime(2025, 5, 19, hour, 0, tzinfo=UTC).replace(tzinfo=None)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def mapping_post(job: ImportJob, **changes: str) -> dict[str, str]:
    """The mapping form as the page prefills it, with ``changes`` (field → column)."""
    data = {f"map_{field}": column for field, column in job.mapping.items()}
    data["default_platform"] = "import"
    data.update({f"map_{field}": column for field, column in changes.items()})
    return data


def run_import(client, brand, name: str, content: bytes, committed, **changes) -> ImportJob:
    """Upload, confirm the prefilled mapping (with ``changes``) and let the task run."""
    response = upload(client, brand, name, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(pk=response.url.rstrip("/").split("/")[-2])
    with committed():
        response = client.post(
            url("importjob_mapping", brand, pk=job.pk), mapping_post(job, **changes)
        )
    assert response.status_code == 302
    assert response.url == url("importjob_detail", brand, pk=job.pk)
    job.refresh_from_db()
    return job


# -- the whole flow, per format --------------------------------------------------------


def test_analyst_imports_a_brandwatch_csv_in_three_steps(acme, analyst, world, committed):
    response = upload(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"))

    job = ImportJob.objects.get()
    assert response.url == url("importjob_mapping", acme, pk=job.pk)
    page = analyst.get(response.url).content.decode()
    assert "Full Text" in page and "I love my new Acme phone" in page  # columns and samples
    with committed():
        response = analyst.post(url("importjob_mapping", acme, pk=job.pk), mapping_post(job))
    job.refresh_from_db()

    assert response.url == url("importjob_detail", acme, pk=job.pk)
    assert job.status == "done"
    assert (job.total, job.imported, job.duplicates, job.unmatched, job.invalid) == (5, 2, 0, 1, 2)
    assert job.created_by == world.users["analyst"]
    page = analyst.get(response.url).content.decode()
    assert "Rows with problems" in page
    assert [(e["row"], e["field"]) for e in job.row_errors] == [(3, "published_at"), (5, "text")]
    assert "(column “Full Text”)" in page
    assert "<dt>Text</dt><dd>Full Text</dd>" in page  # the columns used
    stream = url("mention_list", acme) + "?days=&amp;start=2025-05-19&amp;end=2025-05-19"
    assert stream in page
    listed = analyst.get(stream.replace("&amp;", "&")).content.decode()
    assert "I love my new Acme phone" in listed
    assert not Mention.objects.filter(brand=world.foreign_brand).exists()


def test_it_imports_a_json_export(acme, analyst, committed):
    job = run_import(analyst, acme, "export.json", data_file("mentions.json"), committed)

    assert job.format == "json"
    assert job.mapping["text"] == "content" and job.mapping["external_id"] == "post id"
    assert (job.status, job.total, job.imported, job.invalid) == ("done", 2, 2, 0)
    assert Post.objects.get(external_id="101").url == "https://blog.example/acme-review"


def test_see_the_mentions_lists_the_imported_ones_first_in_a_busy_brand(acme, analyst, committed):
    # 60 mentions heard later on the same day as the import's rows: more than a page.
    heard = [
        NormalizedPost(
            platform="mastodon",
            external_id=f"busy-{n}",
            url=f"https://social.example/@fan/{n}",
            text=f"Acme is everywhere today, post {n}",
            published_at=datetime(2025, 5, 19, 12, 0, tzinfo=UTC) + timedelta(minutes=n),
            lang="en",
        )
        for n in range(60)
    ]
    with committed():
        pipeline.ingest(heard)

    job = run_import(analyst, acme, "export.json", data_file("mentions.json"), committed)

    stream = url("mention_list", acme) + "?days=&start=2025-05-19&end=2025-05-19&platform=import"
    page = analyst.get(url("importjob_detail", acme, pk=job.pk)).content.decode()
    assert stream.replace("&", "&amp;") in page
    listed = analyst.get(stream).content.decode()
    assert "Acme phone review" in listed and "Acme unboxing" in listed
    assert "Acme is everywhere today" not in listed


def test_it_imports_a_jsonl_export_reporting_bad_lines(acme, analyst, committed):
    job = run_import(analyst, acme, "export.jsonl", data_file("mentions.jsonl"), committed)

    assert (job.status, job.total, job.imported, job.invalid) == ("done", 4, 2, 2)
    problems = {(e["row"], e["field"]): e["message"] for e in job.row_errors}
    assert "not valid JSON" in problems[(3, "row")]
    assert "whole number" in problems[(4, "likes")]


def test_it_imports_an_xlsx_export(acme, analyst, committed):
    content = xlsx_bytes(
        [
            ["Date", "Full Text", "Author", "Likes"],
            [naive(10), "Acme is on sale", "ann", 7],
            [naive(11), "Acme unboxing video", "bob", None],
        ]
    )

    job = run_import(analyst, acme, "Export 2025.xlsx", content, committed)

    assert (job.format, job.status, job.total, job.imported) == ("xlsx", "done", 2, 2)
    sale = Post.objects.get(text="Acme is on sale")
    assert sale.likes == 7 and sale.published_at == datetime(2025, 5, 19, 10, 0, tzinfo=UTC)


def test_a_person_can_choose_other_columns(acme, analyst, committed):
    content = "Wann;Was;Titel\n2025-05-19T10:00:00Z;Acme ist großartig;Acme\n".encode()

    job = run_import(
        analyst, acme, "custom.csv", content, committed, text="Was", published_at="Wann"
    )

    assert job.mapping == {"text": "Was", "published_at": "Wann"}
    assert job.imported == 1
    assert Post.objects.get().text == "Acme ist großartig"


# -- the mapping step ------------------------------------------------------------------


def test_the_mapping_is_prefilled_from_the_header(acme, analyst):
    upload(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"))
    job = ImportJob.objects.get()

    response = analyst.get(url("importjob_mapping", acme, pk=job.pk))

    form = response.context["form"]
    assert form["map_text"].value() == "Full Text"
    assert form["map_published_at"].value() == "Date"
    assert form["map_external_id"].value() == "Resource Id"
    assert form["map_reach"].value() in (None, "")
    assert '<option value="Full Text" selected>' in response.content.decode()


def test_it_names_a_required_field_left_without_a_column(acme, analyst, committed):
    upload(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"))
    job = ImportJob.objects.get()

    with committed():
        response = analyst.post(
            url("importjob_mapping", acme, pk=job.pk), mapping_post(job, text="", published_at="")
        )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Choose the column that holds the text" in errors["map_text"][0]
    assert "placed in time" in errors["map_published_at"][0]
    job.refresh_from_db()
    assert job.status == "new" and not Post.objects.exists()


def test_a_file_without_a_text_column_asks_for_one(acme, analyst, committed):
    upload(analyst, acme, "no_text.csv", data_file("no_text.csv"))
    job = ImportJob.objects.get()
    assert "text" not in job.mapping

    with committed():
        response = analyst.post(url("importjob_mapping", acme, pk=job.pk), mapping_post(job))

    assert response.status_code == 200
    assert "Choose the column that holds the text" in response.content.decode()


def test_it_refuses_a_column_the_file_does_not_have(acme, analyst):
    upload(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"))
    job = ImportJob.objects.get()

    response = analyst.post(
        url("importjob_mapping", acme, pk=job.pk), mapping_post(job, url="Nope")
    )

    assert response.status_code == 200
    assert "no such column" in response.context["form"].errors["map_url"][0]


def test_a_started_import_is_not_started_twice(acme, analyst, committed):
    job = run_import(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"), committed)

    with committed():
        response = analyst.post(url("importjob_mapping", acme, pk=job.pk), mapping_post(job))

    assert response.url == url("importjob_detail", acme, pk=job.pk)
    assert ImportJob.objects.get().imported == 2  # not re-run: its counts are the first run's


# -- bad files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("report.pdf", b"%PDF-1.4 ...", "is not a file we can read: use CSV, JSON, JSONL or XLSX"),
        ("broken.csv", b"text,date\n\x81\x8d\x8f\x90,2025\n", "neither UTF-8 nor Windows-1252"),
        ("broken.jsonl", b'{"text": "\x81\x8d"}\n', "not UTF-8"),
        ("broken.json", b'[{"text": "Acme"', "not valid JSON"),
        ("fake.xlsx", b"text,date\nAcme,2025\n", "spreadsheet cannot be opened"),
        ("header-only.csv", b"text,date\n", "no rows to import"),
    ],
)
def test_a_file_it_cannot_read_gets_a_message_and_nothing_is_kept(
    acme, analyst, settings, name, content, message
):
    response = upload(analyst, acme, name, content)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()
    folder = Path(settings.VAR_DIR) / "imports"
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_a_file_over_the_size_limit_is_refused_with_its_size(acme, analyst, monkeypatch):
    monkeypatch.setattr(importers, "MAX_FILE_BYTES", 2 * 1024 * 1024)

    response = upload(analyst, acme, "big.csv", b"text,date\n" + b"x" * (3 * 1024 * 1024))

    errors = " ".join(response.context["form"].errors["file"])
    assert "The file is 3.0 MB; the limit is 2.0 MB" in errors
    assert not ImportJob.objects.exists()


def test_the_upload_needs_a_file(acme, analyst):
    response = analyst.post(url("importjob_list", acme), {})

    assert response.status_code == 200
    assert "Choose a file to import." in response.content.decode()


def test_a_future_date_is_imported_as_now_with_a_note(acme, analyst, committed):
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    content = f"id,text,date\nf1,Acme from the future,{future}\n".encode()

    job = run_import(analyst, acme, "future.csv", content, committed)

    assert (job.imported, job.invalid) == (1, 0)
    assert Post.objects.get().published_at <= datetime.now(UTC)
    assert job.row_errors[0]["level"] == "warning"
    page = analyst.get(url("importjob_detail", acme, pk=job.pk)).content.decode()
    assert "The date is in the future; stored as the import time." in page


def test_a_row_without_text_is_reported_and_the_others_imported(acme, analyst, committed):
    content = b"id,text,date\na1,Acme one,2025-05-19T10:00:00Z\na2,,2025-05-19T11:00:00Z\n"

    job = run_import(analyst, acme, "gaps.csv", content, committed)

    assert (job.imported, job.invalid) == (1, 1)
    assert job.row_errors == [
        {
            "row": 2,
            "field": "text",
            "column": "text",
            "message": "This field is required: the post's text.",
            "level": "error",
        }
    ]


def test_a_file_gone_from_the_server_fails_the_job_with_a_message(acme, analyst, committed):
    upload(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"))
    job = ImportJob.objects.get()
    importers.stored_path(job.file_path).unlink()

    with committed():
        analyst.post(url("importjob_mapping", acme, pk=job.pk), mapping_post(job))

    job.refresh_from_db()
    assert job.status == "failed"
    page = analyst.get(url("importjob_detail", acme, pk=job.pk)).content.decode()
    assert "no longer on the server; upload it again" in page


def test_the_file_is_kept_under_a_name_we_choose(acme, analyst, settings):
    upload(analyst, acme, "../../../etc/evil.csv", data_file("brandwatch.csv"))

    job = ImportJob.objects.get()
    kept = importers.stored_path(job.file_path)
    assert kept.parent == (Path(settings.VAR_DIR) / "imports" / str(acme.pk)).resolve()
    assert "evil" not in job.file_path and kept.read_bytes() == data_file("brandwatch.csv")
    assert job.original_name.endswith("evil.csv")


def test_an_unexpected_error_fails_the_job_instead_of_leaving_it_running(
    acme, analyst, committed, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importers, "import_rows", broken)

    job = run_import(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"), committed)

    assert job.status == "failed"
    assert job.error == "Unexpected error (RuntimeError): disk on fire"
    status = analyst.get(url("importjob_status", acme, pk=job.pk)).json()
    assert status["finished"] is True and status["error"] == job.error


def test_a_job_cut_short_runs_again_without_storing_twice(acme, analyst, committed):
    job = run_import(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"), committed)
    # As if the worker died after storing: the message is delivered again.
    ImportJob.objects.filter(pk=job.pk).update(status="running")

    import_tasks.import_file.delay(job.pk)
    job.refresh_from_db()

    assert job.status == "done"
    assert (job.imported, job.duplicates) == (0, 2)
    assert Mention.objects.filter(brand=acme).count() == 2
    import_tasks.import_file.delay(job.pk)  # a finished job is left alone
    assert ImportJob.objects.get(pk=job.pk).duplicates == 2


# -- re-importing ----------------------------------------------------------------------


def test_importing_the_same_file_again_stores_nothing_twice(acme, analyst, committed):
    first = run_import(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"), committed)
    posts, mentions = Post.objects.count(), Mention.objects.count()

    again = run_import(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"), committed)

    assert (first.imported, first.duplicates) == (2, 0)
    assert (again.imported, again.duplicates) == (0, 2)
    assert (Post.objects.count(), Mention.objects.count()) == (posts, mentions) == (2, 2)
    page = analyst.get(url("importjob_detail", acme, pk=again.pk)).content.decode()
    assert "already stored" in page


# -- progress --------------------------------------------------------------------------


def test_the_status_endpoint_reports_progress_as_json(acme, analyst, committed):
    upload(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"))
    job = ImportJob.objects.get()
    analyst.post(url("importjob_mapping", acme, pk=job.pk), mapping_post(job))  # not committed

    queued = analyst.get(url("importjob_status", acme, pk=job.pk)).json()
    services.import_job_run(job_id=job.pk)
    done = analyst.get(url("importjob_status", acme, pk=job.pk)).json()

    assert queued["status"] == "queued" and queued["finished"] is False
    assert queued["percent"] == 0
    assert done == {
        "status": "done",
        "status_label": "Done",
        "finished": True,
        "percent": 100,
        "total": 5,
        "processed": 5,
        "imported": 2,
        "duplicates": 0,
        "unmatched": 1,
        "invalid": 2,
        "error": "",
    }


def test_counts_are_saved_after_each_batch(acme, analyst, committed, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_BATCH", 1)
    seen = []
    save = services._import_job_save_progress

    def spy(job, report):
        save(job, report)
        stored = ImportJob.objects.get(pk=job.pk)
        seen.append((stored.status, stored.processed, stored.total, stored.percent))

    monkeypatch.setattr(services, "_import_job_save_progress", spy)

    run_import(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"), committed)

    assert all(status == "running" and total == 5 for status, _, total, _ in seen[:-1])
    processed = [p for _, p, _, _ in seen]
    assert processed == sorted(processed) and processed[-1] == 5
    assert len(set(processed)) >= 3  # the bar moved more than once


def test_the_job_page_polls_while_running_and_refreshes_without_js(acme, analyst):
    upload(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"))
    job = ImportJob.objects.get()
    analyst.post(url("importjob_mapping", acme, pk=job.pk), mapping_post(job))  # not committed

    page = analyst.get(url("importjob_detail", acme, pk=job.pk)).content.decode()

    assert 'data-status-url="' + url("importjob_status", acme, pk=job.pk) + '"' in page
    assert '<meta http-equiv="refresh"' in page
    assert "<progress" in page


# -- who may --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager", "analyst"])
def test_people_who_configure_listening_may_import(acme, world, role):
    assert world.client_for(role).get(url("importjob_list", acme)).status_code == 200


def test_client_cannot_import(acme, world, committed):
    client = world.client_for("client")
    upload(world.client_for("analyst"), acme, "brandwatch.csv", data_file("brandwatch.csv"))
    job = ImportJob.objects.get()

    assert client.get(url("importjob_list", acme)).status_code == 403
    assert upload(client, acme, "brandwatch.csv", data_file("brandwatch.csv")).status_code == 403
    assert client.get(url("importjob_mapping", acme, pk=job.pk)).status_code == 403
    with committed():
        posted = client.post(url("importjob_mapping", acme, pk=job.pk), mapping_post(job))
    assert posted.status_code == 403
    assert client.get(url("importjob_detail", acme, pk=job.pk)).status_code == 403
    assert client.get(url("importjob_status", acme, pk=job.pk)).status_code == 403
    assert ImportJob.objects.get().status == "new"


def test_client_sees_no_import_link_on_sources(acme, world):
    link = url("importjob_list", acme)

    assert link in world.client_for("analyst").get(url("source_list", acme)).content.decode()
    assert link not in world.client_for("client").get(url("source_list", acme)).content.decode()


def test_another_brands_import_is_not_found(acme, world, analyst):
    foreign = services.import_job_create(
        actor=world.foreign_admin,
        brand=world.foreign_brand,
        upload=SimpleUploadedFile("brandwatch.csv", data_file("brandwatch.csv")),
    )

    for name in ("importjob_detail", "importjob_mapping", "importjob_status"):
        assert analyst.get(url(name, acme, pk=foreign.pk)).status_code == 404
        assert analyst.get(url(name, world.foreign_brand, pk=foreign.pk)).status_code == 404
    assert analyst.get(url("importjob_list", world.foreign_brand)).status_code == 404
    assert analyst.post(url("importjob_mapping", acme, pk=foreign.pk), {}).status_code == 404
    assert "brandwatch.csv" not in analyst.get(url("importjob_list", acme)).content.decode()


# -- past imports ----------------------------------------------------------------------


def test_past_imports_are_listed_with_their_counts(acme, analyst, committed):
    job = run_import(analyst, acme, "brandwatch.csv", data_file("brandwatch.csv"), committed)
    upload(analyst, acme, "later.json", data_file("mentions.json"))

    response = analyst.get(url("importjob_list", acme))

    jobs = list(response.context["jobs"])
    assert [j.original_name for j in jobs] == ["later.json", "brandwatch.csv"]
    page = response.content.decode()
    assert url("importjob_detail", acme, pk=job.pk) in page
    assert "Awaiting column mapping" in page and "Done" in page


def test_the_import_list_costs_the_same_queries_for_few_and_many_jobs(acme, world, analyst):
    def add_jobs(n):
        for _ in range(n):
            services.import_job_create(
                actor=world.users["manager"],
                brand=acme,
                upload=SimpleUploadedFile("x.csv", b"text,date\nAcme,2025-05-19T10:00:00Z\n"),
            )

    add_jobs(1)
    with CaptureQueriesContext(connection) as small:
        assert analyst.get(url("importjob_list", acme)).status_code == 200
    add_jobs(6)
    with CaptureQueriesContext(connection) as large:
        assert analyst.get(url("importjob_list", acme)).status_code == 200

    # 1 session, 2 user, 3 two-factor required?, 4 brand, 5 agency admin?, 6 brand role,
    # 7 count of jobs, 8 the switcher's brands, 9 unread alerts (the bell), 10 agencies
    # the user runs, 11 the page of jobs (created_by joined): whatever the number of jobs.
    assert len(small) == 11
    assert len(large) == len(small)
