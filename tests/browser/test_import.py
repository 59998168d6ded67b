"""Importing a CSV export: upload, confirm the mapping, watch the progress, see the mention."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from playwright.sync_api import Page, expect

from listening import import_tasks, services
from listening.models import ImportJob, Mention
from tests.browser.conftest import login

pytestmark = pytest.mark.usefixtures("demo")

TEXT = "Acme headphones: the battery life surprised me on a long flight"


class _Worker:
    """Stands in for the Celery worker: runs the job a moment after the commit, in another
    thread, so the page is seen waiting and polling before the import finishes."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def delay_on_commit(self, job_id: int) -> None:
        transaction.on_commit(lambda: self._start(job_id))

    def _start(self, job_id: int) -> None:
        thread = threading.Thread(target=self._run, args=(job_id,))
        self.threads.append(thread)
        thread.start()

    def _run(self, job_id: int) -> None:
        try:
            threading.Event().wait(1.5)
            services.import_job_run(job_id=job_id)
        finally:
            connection.close()


@pytest.fixture
def worker(monkeypatch, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    fake = _Worker()
    monkeypatch.setattr(import_tasks, "import_file", fake)
    yield fake
    for thread in fake.threads:
        thread.join(timeout=30)


def test_analyst_imports_a_csv_and_finds_the_mention(page: Page, worker):
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    csv = f"Resource Id,Full Text,Date,Author\nbrowser-1,{TEXT},{yesterday},carol\n"
    login(page, "analyst@acme.example")

    page.goto("/b/acme/sources/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/b/acme/import/")
    expect(page.get_by_role("heading", name="Import mentions", level=1)).to_be_visible()
    page.get_by_label("Export file").set_input_files(
        {"name": "export.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Upload and map columns").click()

    page.wait_for_url("**/mapping/")
    expect(page.get_by_role("heading", name="Map the columns", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name=TEXT)).to_be_visible()  # a sample row
    expect(page.get_by_label("Text")).to_have_value("Full Text")  # prefilled from the header
    expect(page.get_by_label("Published at")).to_have_value("Date")
    expect(page.get_by_label("Post id")).to_have_value("Resource Id")
    page.get_by_role("button", name="3. Import").click()

    page.wait_for_url(lambda u: u.rstrip("/").split("/")[-1].isdigit())
    progress = page.locator("[data-import-job]")
    expect(progress.locator('[data-field="status_label"]')).to_have_text("Done", timeout=20_000)
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    assert page.locator("progress").get_attribute("value") == "100"
    expect(progress.locator('[data-field="imported"]')).to_have_text("1")
    expect(progress.locator('[data-field="invalid"]')).to_have_text("0")
    job = ImportJob.objects.get(brand__slug="acme")
    assert (job.status, job.total, job.imported) == ("done", 1, 1)

    page.get_by_role("link", name="See the mentions").click()
    page.wait_for_url("**/b/acme/mentions/**")
    expect(page.get_by_text(TEXT)).to_be_visible()
    assert Mention.objects.filter(brand__slug="acme", post__external_id="browser-1").exists()
