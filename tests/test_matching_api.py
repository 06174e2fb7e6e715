"""Matching a person through the API (`POST /api/subjects/match/`) and the CLI (`subjects`)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phoihop.core.policy import SYSTEM
from phoihop.subjects import services
from phoihop.subjects.choices import DocumentKind, Sex, SubjectRole
from phoihop.subjects.management.commands.subjects import Command as SubjectsCommand
from phoihop.subjects.models import Subject, SubjectNameKey
from tests.factories import open_dossier
from tests.test_api import api_as, validate

URL = "/api/subjects/match/"


def register(world, **fields):
    fields.setdefault("owner_agency", world.a)
    return services.subject_create(actor=SYSTEM, **fields)


@pytest.fixture
def people(world):
    """Persons registered by agency A (in no dossier: A's casework users see them)."""
    wang = register(
        world,
        native_name="王小明",
        sex=Sex.MALE,
        nationality="CN",
        birth_year=1975,
        birth_month=3,
        documents=[{"kind": DocumentKind.PASSPORT, "number": "E12345678", "country": "CN"}],
    )
    register(world, native_name="王小红", sex=Sex.FEMALE, nationality="CN", birth_year=1980)
    register(world, native_name="汪晓明", sex=Sex.MALE, nationality="CN", birth_year=1975)
    register(world, full_name="Đặng Văn Đức", sex=Sex.MALE, birth_year=1982)
    return wang


def post(user, body):
    return api_as(user).post(URL, body, format="json")


# --- API: finding ---------------------------------------------------------------------------


def test_route_is_the_subjects_match_action():
    assert reverse("subject-match") == URL


@pytest.mark.parametrize(
    ("name", "birth"),
    [
        ("Vuong Tieu Minh", ""),
        ("王小明", "03/1975"),
        ("WANGXIAOMING", "03/1975"),
        ("Wang Xiǎomíng", "03/1975"),
    ],
)
def test_api_finds_the_person_first_from_any_name_form_with_reasons(world, people, name, birth):
    response = post(world.officer_a, {"name": name, "birth": birth})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert len(body) >= 2
    top = body[0]
    assert top["id"] == people.pk
    assert top["score"] > body[1]["score"]  # first on the evidence, not by a tie-break
    assert top["native_name"] == "王小明"
    assert top["han_viet"] == "Vương Tiểu Minh"
    assert top["full_name"] == "Vương Tiểu Minh"
    assert top["birth"] == "03/1975"
    assert top["nationality"] == "CN"
    assert "documents" not in top  # read on the person's page, with a logged purpose
    assert top["name_score"] >= 95
    assert top["reasons"][0]["field"] == "name"
    assert top["reasons"][0]["verdict"] == "agree"
    assert top["reasons"][0]["text"]
    scores = [c["score"] for c in body]
    assert scores == sorted(scores, reverse=True)


def test_pinyin_without_tones_cannot_tell_homophones_apart_and_lists_both(world, people):
    """王小明 and 汪晓明 are both "Wang Xiaoming": the name alone ties them; the officer sees both."""
    body = post(world.officer_a, {"name": "WANGXIAOMING"}).json()
    first, second = body[0], body[1]
    assert {first["native_name"], second["native_name"]} == {"王小明", "汪晓明"}
    assert first["score"] == second["score"]
    assert "pinyin" in first["reasons"][0]["text"]


def test_api_uses_birth_sex_nationality_and_document(world, people):
    body = post(
        world.officer_a,
        {
            "name": "Wang Xiaoming",
            "other_names": ["Vương Tiểu Minh"],
            "birth": "15/03/1975",
            "sex": "M",
            "nationality": "cn",
            "document": "e 1234 5678",
            "limit": 2,
        },
    ).json()
    assert len(body) <= 2
    top = body[0]
    assert top["id"] == people.pk
    verdicts = {(r["field"], r["verdict"]) for r in top["reasons"]}
    assert {
        ("document", "agree"),
        ("birth", "agree"),
        ("sex", "agree"),
        ("nationality", "agree"),
    } <= verdicts
    assert top["score"] >= 95


def test_api_response_validates_against_the_openapi_schema(world, people):
    api = api_as(world.officer_a)
    openapi = json.loads(api.get(reverse("api-schema"), {"format": "json"}).content)
    operation = openapi["paths"][URL]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/MatchQueryRequest"}
    assert openapi["components"]["schemas"]["MatchQueryRequest"]["required"] == ["name"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"type": "array", "items": {"$ref": "#/components/schemas/MatchCandidate"}}
    body = api.post(URL, {"name": "Vuong Tieu Minh", "birth": "1975"}, format="json").json()
    assert body
    declared = set(openapi["components"]["schemas"]["MatchCandidate"]["properties"])
    for item in body:
        assert set(item) == declared
        validate(openapi, "MatchCandidate", item)


# --- API: the access policy -----------------------------------------------------------------


def test_a_person_only_in_another_agencys_dossier_is_not_a_candidate(world, people):
    elsewhere = open_dossier(world.border, world.b, title="Vụ việc của Sở Ngoại vụ")
    hidden = services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=elsewhere,
        role=SubjectRole.SUSPECT,
        owner_agency=world.b,
        native_name="王小明",
        nationality="CN",
        documents=[{"kind": DocumentKind.PASSPORT, "number": "G99887766"}],
    )
    query = {"name": "Vuong Tieu Minh", "document": "G99887766"}
    seen_by_a = [c["id"] for c in post(world.officer_a, query).json()]
    assert people.pk in seen_by_a
    assert hidden.pk not in seen_by_a
    # even the exact document number does not reveal the person
    assert hidden.pk not in [c["id"] for c in post(world.officer_a, {"name": "G99887766"}).json()]
    seen_by_b = post(world.officer_b, query).json()
    assert seen_by_b[0]["id"] == hidden.pk
    assert people.pk not in [c["id"] for c in seen_by_b]


@pytest.mark.parametrize("who", ["oversight", "admin"])
def test_users_who_see_no_person_get_an_empty_list(world, people, who):
    response = post(getattr(world, who), {"name": "Vuong Tieu Minh"})
    assert response.status_code == 200
    assert response.json() == []


def test_anonymous_is_refused(world, people):
    response = post(None, {"name": "Vuong Tieu Minh"})
    assert response.status_code in (401, 403)
    assert "王小明" not in response.content.decode()


def test_get_is_not_allowed(world):
    assert api_as(world.officer_a).get(URL).status_code == 405


# --- API: bad input -------------------------------------------------------------------------


def _next_year() -> int:
    return timezone.localdate().year + 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "!!! ??? ---"}, "name"),
        ({"name": "Vuong", "other_names": ["***"]}, "other_names"),
        ({"name": "Vuong", "birth": "1975-03-15"}, "birth"),
        ({"name": "Vuong", "birth": "3/15/1975"}, "birth"),
        ({"name": "Vuong", "birth": "31/02/1975"}, "birth"),
        ({"name": "Vuong", "birth": "75"}, "birth"),
        ({"name": "Vuong", "birth": "1850"}, "birth"),
        ({"name": "Vuong", "birth": str(_next_year())}, "birth"),
        ({"name": "Vuong", "birth": f"01/01/{_next_year()}"}, "birth"),
        ({"name": "Vuong", "sex": "X"}, "sex"),
        ({"name": "Vuong", "nationality": "CHN"}, "nationality"),
        ({"name": "Vuong", "nationality": "1A"}, "nationality"),
        ({"name": "Vuong", "limit": 0}, "limit"),
        ({"name": "Vuong", "limit": 51}, "limit"),
        ({"name": "Vuong", "limit": "many"}, "limit"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, people, body, field):
    response = post(world.officer_a, body)
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert errors[field][0]


def test_bad_birth_date_message_is_in_vietnamese(world):
    errors = post(world.officer_a, {"name": "Vuong", "birth": "15-03-1975"}).json()
    assert errors["birth"] == ["Ngày sinh phải có dạng yyyy, mm/yyyy hoặc dd/mm/yyyy."]
    future = post(world.officer_a, {"name": "Vuong", "birth": str(_next_year())}).json()
    assert future["birth"] == ["Ngày sinh không được ở tương lai."]


# --- API: query budget ----------------------------------------------------------------------


def test_query_count_does_not_grow_with_the_candidates(world, people):
    api = api_as(world.officer_a)

    def add(n, start):
        for i in range(start, start + n):
            register(
                world,
                full_name=f"Nguyễn Văn An {chr(ord('A') + i)}",
                documents=[{"kind": DocumentKind.CMND, "number": f"0730000{i:02d}"}],
            )

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api.post(URL, {"name": "Nguyen Van An", "limit": 50}, format="json")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json())

    add(2, 0)
    queries()  # warm the session
    few_queries, few = queries()
    add(10, 2)
    many_queries, many = queries()
    assert (few, many) == (2, 12)
    assert many_queries == few_queries
    # session, user, candidate ids (twice when no whole name agrees: then with the
    # spellings one typo away), persons, documents: 6. On PostgreSQL each candidates'
    # query runs in its own transaction with parallel workers off: 3 more each.
    assert many_queries <= 8 + (6 if connection.vendor == "postgresql" else 0)


# --- CLI ------------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("subjects", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_match_json_lists_candidates_best_first(world, people):
    rows = json.loads(
        run("match", "WANGXIAOMING", "--born", "03/1975", "--nationality", "CN", "--json")
    )
    assert rows[0]["id"] == people.pk
    assert rows[0]["score"] > rows[1]["score"]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    top = rows[0]
    assert {
        "id",
        "score",
        "name_score",
        "reasons",
        "full_name",
        "native_name",
        "latin_name",
        "han_viet",
        "birth",
        "nationality",
        "documents",
    } <= set(top)
    assert top["native_name"] == "王小明"
    assert top["documents"] == ["E12345678"]
    assert {(r["field"], r["verdict"]) for r in top["reasons"]} >= {
        ("name", "agree"),
        ("birth", "agree"),
        ("nationality", "agree"),
    }


def test_cli_match_sees_every_person_as_the_system_actor(world, people):
    elsewhere = open_dossier(world.border, world.b, title="Vụ việc của Sở Ngoại vụ")
    hidden = services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=elsewhere,
        role=SubjectRole.SUSPECT,
        owner_agency=world.b,
        full_name="Lò Thị Mai",
    )
    rows = json.loads(run("match", "Lo Thi Mai", "--sex", "f", "--limit", "3", "--json"))
    assert rows[0]["id"] == hidden.pk
    assert len(rows) <= 3


def test_cli_match_prints_a_readable_table(world, people):
    out = run("match", "Vuong Tieu Minh", "--document", "E12345678")
    first = out.splitlines()[0]
    assert f"#{people.pk}" in first and "Vương Tiểu Minh" in first and "王小明" in first
    assert "E12345678" in first
    assert "Số giấy tờ trùng khớp" in out
    assert run("match", "Không Ai Có Tên Này") == "Không tìm thấy ứng viên nào.\n"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--born", "1975-03"], "--born"),
        (["--born", str(_next_year())], "--born"),
        (["--limit", "0"], "--limit"),
        (["--limit", "x"], "--limit"),
        (["--nationality", "Trung Quốc"], "--nationality"),
        (["--sex", "x"], "--sex"),
    ],
)
def test_cli_bad_input_is_a_command_error_naming_the_option(world, args, option):
    with pytest.raises(CommandError) as caught:
        run("match", "Vuong Tieu Minh", *args)
    assert str(caught.value).startswith(option)


def test_cli_name_made_of_symbols_is_refused_in_vietnamese(world):
    with pytest.raises(CommandError, match="Tên phải có chữ cái hoặc chữ Hán"):
        run("match", "*** ???")


def test_cli_bad_born_exits_non_zero(world, capsys):
    with pytest.raises(SystemExit) as caught:
        SubjectsCommand().run_from_argv(
            ["phoihop", "subjects", "match", "Vuong Tieu Minh", "--born", "31/02/1975"]
        )
    assert caught.value.code != 0
    assert "--born: Ngày sinh không có thật." in capsys.readouterr().err


def test_cli_reindex_restores_deleted_keys(world, people):
    before = set(SubjectNameKey.objects.values_list("subject_id", "kind", "key"))
    assert before
    SubjectNameKey.objects.all().delete()
    assert run("match", "WANGXIAOMING", "--json").strip() == "[]"
    out = run("reindex", "--batch-size", "2")
    persons = Subject.objects.count()
    assert f"{persons} người" in out and f"{len(before)} khóa" in out
    assert set(SubjectNameKey.objects.values_list("subject_id", "kind", "key")) == before
    assert json.loads(run("match", "WANGXIAOMING", "--json"))[0]["id"] == people.pk
