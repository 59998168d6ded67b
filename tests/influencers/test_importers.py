import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from influencers import importers
from influencers.models import Influencer
from socialhub.models import AuditEvent
from tests.audit import recorded

HEADER = "Name,Network,Username,Followers,Topics,Languages,Email\n"


def csv_file(body: str, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + body).encode(), content_type="text/csv")


def upload_and_map(client, world, file, **mapping):
    base = {"agency_slug": world.agency.slug}
    response = client.post(reverse("influencers:influencer_import", kwargs=base), {"file": file})
    assert response.status_code == 302, response.content
    map_url = reverse("influencers:influencer_import_map", kwargs=base)
    page = client.get(map_url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in importers.FIELDS}
    data.update(mapping)
    return client.post(map_url, data)


def test_it_proposes_a_mapping_from_the_header(world):
    upload = importers.read_upload(io.BytesIO(HEADER.encode() + b"A,x,a,1,,,\n"), "l.csv")
    assert upload.mapping["name"] == "Name"
    assert upload.mapping["platform"] == "Network"
    assert upload.mapping["handle"] == "Username"
    assert upload.mapping["followers"] == "Followers"


def test_a_file_with_broken_rows_imports_nothing_and_lists_each_row(world, influencer):
    client = world.client_for("analyst")
    body = (
        "Ada,instagram,ada,12000,running,en,ada@example.org\n"  # row 2: fine
        ",tiktok,nobody,5,,,\n"  # row 3: no name
        "Bea,myspace,bea,5,,,\n"  # row 4: unknown platform
        "Cy,x,cy,lots,,,\n"  # row 5: followers not a number
        "Di,instagram,NINA,5,,,\n"  # row 6: already in the directory
        "Ed,instagram,ada,5,,,not-an-email\n"  # row 7: twice in the file, bad email
    )
    response = upload_and_map(client, world, csv_file(body))
    assert response.status_code == 200
    errors = response.context["row_errors"]
    rows = {(row, field) for row, field, _ in errors}
    assert {(3, "name"), (4, "platform"), (5, "followers"), (6, "handle")} <= rows
    assert {(7, "handle"), (7, "email")} <= rows
    text = response.content.decode()
    assert "Nothing was imported" in text
    assert "already in the directory: Nina Nano" in text
    assert "also on row 2 of this file" in text
    # All or nothing: not even the good row 2.
    assert not Influencer.objects.filter(name="Ada").exists()


def test_a_clean_file_imports_every_row(world):
    client = world.client_for("manager")
    body = (
        'Ada,Instagram,@ada,12000,"running, travel",en,ada@example.org\n'
        "Bo,twitter,bo,1500000,,de,\n"
    )
    response = upload_and_map(client, world, csv_file(body))
    assert response.status_code == 302
    ada = Influencer.objects.get(name="Ada")
    assert ada.agency == world.agency
    assert ada.topics == ["running", "travel"]
    assert ada.tier == "micro"
    assert list(ada.profiles.values_list("platform", "handle")) == [("instagram", "ada")]
    assert Influencer.objects.get(name="Bo").profiles.get().platform == "x"
    assert Influencer.objects.get(name="Bo").tier == "mega"


def test_an_import_is_audited_for_the_agency_with_its_file_and_count(world):
    client = world.client_for("manager")
    body = "Ada,instagram,ada,12000,,,\nBo,twitter,bo,1500,,,\n"

    with recorded() as events:
        upload_and_map(client, world, csv_file(body, name="creators.csv"))

    *added, imported = events
    assert [e.action for e in added] == [AuditEvent.Action.INFLUENCER_CREATED] * 2
    assert (imported.action, imported.agency, imported.brand, imported.actor) == (
        AuditEvent.Action.INFLUENCERS_IMPORTED,
        world.agency,
        None,
        world.users["manager"],
    )
    assert imported.summary == "directory import “creators.csv”: added 2 influencers"


def test_a_refused_import_is_not_audited(world, influencer):
    with recorded() as events:
        upload_and_map(world.client_for("manager"), world, csv_file(",tiktok,nobody,5,,,\n"))
    assert events == []


def test_it_reads_an_xlsx_file(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Full name", "Platform", "Handle", "Followers"])
    sheet.append(["Xena", "youtube", "xena", 75000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("list.xlsx", buffer.getvalue())
    response = upload_and_map(world.client_for("analyst"), world, file)
    assert response.status_code == 302
    assert Influencer.objects.get(name="Xena").tier == "mid"


def test_the_mapping_must_name_the_required_columns(world):
    client = world.client_for("analyst")
    response = upload_and_map(client, world, csv_file("Ada,instagram,ada,1,,,\n"), handle="")
    assert response.status_code == 200
    assert response.context["form"].errors["handle"]
    assert not Influencer.objects.exists()


def test_an_unreadable_file_is_refused_with_a_reason(world):
    client = world.client_for("analyst")
    url = reverse("influencers:influencer_import", kwargs={"agency_slug": world.agency.slug})
    response = client.post(url, {"file": SimpleUploadedFile("list.pdf", b"%PDF")})
    assert response.status_code == 200
    assert "is not a file we can read" in response.context["form"].errors["file"][0]
