"""Exporting persons as XLSX and CSV in the import template's columns, through the policy and the log."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse

from phoihop.core.policy import SYSTEM
from phoihop.subjects import imports, tabular
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import DocumentKind
from phoihop.subjects.models import Subject, SubjectAccess
from tests.web_fixtures import login, scene  # noqa: F401


def make_people(world):
    wang = subject_services.subject_create(
        actor=SYSTEM,
        owner_agency=world.a,
        full_name="Vương Tiểu Minh",
        native_name="王小明",
        latin_name="Wang Xiaoming",
        sex="M",
        birth_year=1990,
        birth_month=5,
        birth_day=12,
        nationality="CN",
        ethnicity="Hoa",
        documents=[
            {"kind": DocumentKind.PASSPORT, "number": "E12345678", "country": "CN"},
            {"kind": DocumentKind.CN_ID, "number": "53262119900512001X", "country": "CN"},
        ],
    )
    trap = subject_services.subject_create(
        actor=SYSTEM, owner_agency=world.a, full_name='=HYPERLINK("http://x")Lò', birth_year=1980
    )
    hidden = subject_services.subject_create(
        actor=SYSTEM, owner_agency=world.b, full_name="Người Của Sở Ngoại Vụ", birth_year=1970
    )
    return wang, trap, hidden


def test_the_xlsx_export_is_in_template_columns_and_imports_back(scene, client):
    world = scene.world
    wang, trap, hidden = make_people(world)
    login(client, world.officer_a)
    response = client.post(reverse("subjects:export-xlsx"), {"q": "", "purpose": "review"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c or "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == tabular.TEMPLATE_COLUMNS
    assert [
        "Vương Tiểu Minh",
        "王小明",
        "Wang Xiaoming",
        "Nam",
        "12/05/1990",
        "CN",
        "Hoa",
        "53262119900512001X; E12345678",
    ] in rows
    assert not any("Người Của Sở Ngoại Vụ" in r for r in rows)
    # the text that looks like a formula stays text
    assert any(r[0] == '=HYPERLINK("http://x")Lò' for r in rows)
    logged = set(SubjectAccess.objects.filter(kind="export").values_list("subject_id", flat=True))
    assert wang.pk in logged and trap.pk in logged and hidden.pk not in logged

    # the same file imports back: the same fields, once the originals are gone
    Subject.objects.filter(pk__in=[wang.pk, trap.pk]).update(full_name="x")
    for s in (wang, trap):
        s.name_keys.all().delete()
        s.documents.all().delete()
    job = imports.import_upload(
        actor=world.officer_a, file=io.BytesIO(response.content), filename="doi-tuong.xlsx"
    )
    # only the scene's person, still on record, is refused: its document number is known
    assert list(job.problems.filter(level="error").values_list("message", flat=True)) == [
        f"Số giấy tờ {scene.subject.documents.get().number} đã có trong hồ sơ đối tượng "
        f"#{scene.subject.pk} {scene.subject.full_name}."
    ]
    fields = {r["full_name"]: r for r in job.rows.values_list("fields", flat=True)}
    got = fields["Vương Tiểu Minh"]
    assert (got["native_name"], got["latin_name"], got["sex"], got["nationality"]) == (
        "王小明",
        "Wang Xiaoming",
        "M",
        "CN",
    )
    assert (got["birth_year"], got["birth_month"], got["birth_day"]) == (1990, 5, 12)
    assert [d["number"] for d in got["documents"]] == ["53262119900512001X", "E12345678"]
    assert [d["kind"] for d in got["documents"]] == ["cn_id", "passport"]


def test_the_csv_export_neutralises_formulas_and_reads_back_as_typed(scene, client):
    world = scene.world
    make_people(world)
    login(client, world.officer_a)
    response = client.post(reverse("subjects:export-csv"), {"q": "", "purpose": "review"})
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == ",".join(tabular.TEMPLATE_COLUMNS)
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body
    assert "Người Của Sở Ngoại Vụ" not in body
    table = tabular.read_table(io.BytesIO(response.content), "doi-tuong.csv")
    assert tabular.template_mapping(table.headers) is not None
    names = [values[0] for _n, values in table.rows()]
    assert '=HYPERLINK("http://x")Lò' in names and "Vương Tiểu Minh" in names


def test_an_export_needs_a_purpose_and_an_outsider_gets_no_one(scene, client):
    world = scene.world
    make_people(world)
    login(client, world.officer_a)
    assert client.post(reverse("subjects:export-xlsx"), {"q": ""}).status_code == 400
    assert not SubjectAccess.objects.exists()
    login(client, scene.officer_c)
    response = client.post(reverse("subjects:export-xlsx"), {"q": "", "purpose": "review"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.iter_rows(values_only=True))[1:] == []
