"""The REST API through the access policy, its validation answers, and its OpenAPI schema."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.models import Dossier, DossierParty, Task, TimelineEvent
from phoihop.subjects.models import Subject
from tests.factories import UserFactory, end_dossier, open_dossier
from tests.signin import force_login
from tests.web_fixtures import SCENE_TITLE, d, scene  # noqa: F401


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        force_login(client, user)
    return client


def dossier_url(dossier, action: str | None = None) -> str:
    if action:
        return reverse(f"dossier-{action}", args=[dossier.pk])
    return reverse("dossier-detail", args=[dossier.pk])


def saved_state() -> tuple[int, ...]:
    return (
        Dossier.objects.count(),
        DossierParty.objects.count(),
        Task.objects.count(),
        TimelineEvent.objects.count(),
        AuditEvent.objects.count(),
        Subject.objects.count(),
    )


# --- reading dossiers -------------------------------------------------------------------------


def test_list_dossiers_shows_what_the_user_may_see(scene):
    w = scene.world
    hidden = open_dossier(w.border, scene.c, title="Vụ việc của Biên phòng")
    response = api_as(w.officer_a).get(reverse("dossier-list"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["results"]
    assert item["reference"] == scene.dossier.reference
    assert item["title"] == SCENE_TITLE
    assert item["lead_agency"] == "cat"
    assert item["counterpart"] == "ca-vanson"
    assert item["crime_type"] == "mua-ban-nguoi"
    assert item["classification"] == Classification.MAT
    assert item["classification_label"] == "Mật"
    assert item["status"] == "opened"
    assert item["opened_on"] == "2010-03-01"

    other = api_as(scene.officer_c).get(reverse("dossier-list")).json()
    assert [r["reference"] for r in other["results"]] == [hidden.reference]


def test_list_dossiers_searches_without_diacritics_and_filters(scene):
    w = scene.world
    resolved = open_dossier(w.border, w.a, title="Vụ việc tại mốc 428, xã Lũng Cú")
    end_dossier(resolved, on=d("10/03/2010"))
    api = api_as(w.officer_a)

    def refs(params):
        results = api.get(reverse("dossier-list"), params).json()["results"]
        return [r["reference"] for r in results]

    assert refs({"q": "dong van"}) == [scene.dossier.reference]
    assert refs({"q": "lung cu"}) == [resolved.reference]
    assert refs({"status": "resolved"}) == [resolved.reference]
    assert refs({"status": "open"}) == [scene.dossier.reference]
    assert refs({"sort": "reference"}) == [scene.dossier.reference, resolved.reference]
    assert refs({"sort": "-reference"}) == [resolved.reference, scene.dossier.reference]


def test_retrieve_dossier_has_parties_and_tasks(scene):
    response = api_as(scene.world.officer_b).get(dossier_url(scene.dossier))
    assert response.status_code == 200
    body = response.json()
    assert sorted((p["agency"], p["role"]) for p in body["parties"]) == [
        ("cat", "lead"),
        ("sngv", "support"),
    ]
    assert {(t["agency"], t["due_on"]) for t in body["tasks"]} == {
        ("cat", "2010-03-15"),  # 10 working days
        ("sngv", "2010-03-08"),  # 5 working days
    }


@pytest.mark.parametrize("who", ["officer_c", "low_a", "oversight"])
def test_retrieve_a_dossier_one_may_not_see_is_404(scene, who):
    user = getattr(scene, who, None) or getattr(scene.world, who)
    response = api_as(user).get(dossier_url(scene.dossier))
    assert response.status_code == 404
    assert SCENE_TITLE not in response.content.decode()


def test_retrieve_a_missing_dossier_is_the_same_404(scene):
    response = api_as(scene.world.officer_a).get(reverse("dossier-detail", args=[999999]))
    assert response.status_code == 404
    hidden = api_as(scene.officer_c).get(dossier_url(scene.dossier))
    assert hidden.json() == response.json()


def test_non_numeric_dossier_id_is_404(scene):
    response = api_as(scene.world.officer_a).get("/api/dossiers/abc/")
    assert response.status_code == 404


# --- creating dossiers ------------------------------------------------------------------------


def _payload(**overrides):
    data = {
        "category": "an-hinh-su",
        "title": "Vụ lừa bán phụ nữ tại xã Sủng Là, huyện Đồng Văn",
        "summary": "Tin báo của gia đình bị hại.",
        "lead_agency": "cat",
        "supporting_agencies": ["sngv"],
        "counterpart": "ca-vanson",
        "crime_type": "mua-ban-nguoi",
        "classification": int(Classification.MAT),
        "opened_on": "2010-03-02",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def test_create_dossier(scene):
    w = scene.world
    response = api_as(w.officer_a).post(reverse("dossier-list"), _payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    dossier = Dossier.objects.get(pk=body["id"])
    assert body["reference"] == dossier.reference == f"HS-2010-{dossier.pk:06d}"
    assert body["title"] == "Vụ lừa bán phụ nữ tại xã Sủng Là, huyện Đồng Văn"
    assert body["opened_on"] == "2010-03-02"
    assert body["status"] == "opened"
    assert sorted(p["agency"] for p in body["parties"]) == ["cat", "sngv"]
    assert len(body["tasks"]) == 2
    assert dossier.created_by == w.officer_a
    assert dossier.classification == Classification.MAT
    # the new dossier is then readable by the supporting agency
    assert api_as(w.officer_b).get(dossier_url(dossier)).status_code == 200


def test_create_dossier_with_only_the_required_fields(scene):
    w = scene.world
    payload = {"category": "bien-gioi", "title": "Vụ việc tối thiểu", "lead_agency": "cat"}
    response = api_as(w.officer_a).post(reverse("dossier-list"), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["counterpart"] is None
    assert body["crime_type"] is None
    assert body["classification"] == Classification.THUONG


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ...}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"category": "khong-co"}, "category"),
        ({"category": ...}, "category"),
        ({"lead_agency": "khong-co"}, "lead_agency"),
        ({"supporting_agencies": ["sngv", "khong-co"]}, "supporting_agencies"),
        ({"supporting_agencies": "sngv"}, "supporting_agencies"),
        ({"counterpart": "khong-co"}, "counterpart"),
        ({"crime_type": "khong-co"}, "crime_type"),
        ({"classification": 9}, "classification"),
        ({"opened_on": "31/02/2010"}, "opened_on"),
        # refused by the service, still naming the field
        ({"lead_agency": "sngv", "supporting_agencies": []}, "lead_agency"),
        ({"lead_agency": "ca-vanson", "supporting_agencies": []}, "lead_agency"),
        ({"supporting_agencies": ["ca-vanson"]}, "supporting_agencies"),
        ({"counterpart": "sngv"}, "counterpart"),
        ({"classification": int(Classification.TOI_MAT)}, "classification"),
        ({"category": "bien-gioi"}, "crime_type"),
        ({"title": "   "}, "title"),
    ],
)
def test_create_dossier_with_a_bad_payload_is_400_naming_the_field(scene, overrides, field):
    before = saved_state()
    response = api_as(scene.world.officer_a).post(
        reverse("dossier-list"), _payload(**overrides), format="json"
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body, body
    assert all(isinstance(m, str) and m for m in body[field]), body
    assert saved_state() == before


def test_create_dossier_service_message_is_in_vietnamese(scene):
    response = api_as(scene.world.officer_a).post(
        reverse("dossier-list"), _payload(classification=2), format="json"
    )
    assert response.json() == {"classification": ["Độ mật vượt quá cấp độ tiếp cận của bạn."]}


def test_create_dossier_as_oversight_is_404_and_saves_nothing(scene):
    before = saved_state()
    response = api_as(scene.world.oversight).post(
        reverse("dossier-list"), _payload(), format="json"
    )
    assert response.status_code == 404
    assert saved_state() == before


def test_create_dossier_anonymously_is_refused(scene):
    before = saved_state()
    response = api_as(None).post(reverse("dossier-list"), _payload(), format="json")
    assert response.status_code in (401, 403)
    assert saved_state() == before


def test_session_write_without_csrf_token_is_refused(scene):
    before = saved_state()
    client = APIClient(enforce_csrf_checks=True)
    force_login(client, scene.world.officer_a)
    response = client.post(reverse("dossier-list"), _payload(), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert saved_state() == before


# --- changing dossiers ------------------------------------------------------------------------


def test_patch_dossier(scene):
    api = api_as(scene.world.officer_a)
    response = api.patch(
        dossier_url(scene.dossier),
        {"title": "Vụ mua bán người, huyện Đồng Văn (bổ sung)", "counterpart": None},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Vụ mua bán người, huyện Đồng Văn (bổ sung)"
    assert body["counterpart"] is None
    assert body["crime_type"] == "mua-ban-nguoi"  # untouched
    scene.dossier.refresh_from_db()
    assert scene.dossier.counterpart is None
    assert TimelineEvent.objects.filter(
        dossier=scene.dossier, text="Cập nhật thông tin hồ sơ"
    ).exists()
    # the search follows the new title
    found = api.get(reverse("dossier-list"), {"q": "bo sung"}).json()
    assert found["count"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"classification": int(Classification.TOI_MAT)}, "classification"),
        ({"counterpart": "sngv"}, "counterpart"),
        ({"counterpart": "khong-co"}, "counterpart"),
        ({"title": ""}, "title"),
        ({"classification": "mat"}, "classification"),
    ],
)
def test_patch_dossier_with_bad_payload_is_400(scene, payload, field):
    before = (saved_state(), Dossier.objects.values_list("title", "classification").get())
    response = api_as(scene.world.officer_a).patch(
        dossier_url(scene.dossier), payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert (saved_state(), Dossier.objects.values_list("title", "classification").get()) == before


def test_patch_a_closed_dossier_is_refused(scene):
    end_dossier(scene.dossier, on=d("10/03/2010"))
    response = api_as(scene.world.officer_a).patch(
        dossier_url(scene.dossier), {"title": "Sửa sau khi đóng"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Hồ sơ đã đóng, không sửa được."]}


@pytest.mark.parametrize("method", ["put", "delete"])
def test_dossiers_cannot_be_replaced_or_deleted(scene, method):
    api = api_as(scene.world.officer_a)
    response = getattr(api, method)(dossier_url(scene.dossier), {}, format="json")
    assert response.status_code == 405
    assert Dossier.objects.filter(pk=scene.dossier.pk).exists()


# --- transitions ------------------------------------------------------------------------------


def test_transition_dossier(scene):
    api = api_as(scene.world.officer_a)
    url = dossier_url(scene.dossier, "transition")
    response = api.post(url, {"status": "in_progress", "on": "2010-03-03"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_progress"
    response = api.post(
        url,
        {"status": "resolved", "outcome": "Đã bắt giữ 3 đối tượng.", "on": "2010-04-01"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["resolved_on"], body["outcome"]) == (
        "resolved",
        "2010-04-01",
        "Đã bắt giữ 3 đối tượng.",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "resolved", "outcome": "Đã làm rõ."}, "status"),  # opened → resolved
        ({"status": "archived"}, "status"),
        ({}, "status"),
        ({"status": "closed_no_result", "outcome": ""}, "outcome"),
        ({"status": "in_progress", "on": "2009-12-31"}, "on"),
        ({"status": "in_progress", "on": "hôm qua"}, "on"),
    ],
)
def test_refused_transition_is_400_naming_the_field(scene, payload, field):
    before = (saved_state(), scene.dossier.status)
    response = api_as(scene.world.officer_a).post(
        dossier_url(scene.dossier, "transition"), payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    scene.dossier.refresh_from_db()
    assert (saved_state(), scene.dossier.status) == before


def test_refused_transition_names_both_statuses(scene):
    response = api_as(scene.world.officer_a).post(
        dossier_url(scene.dossier, "transition"),
        {"status": "resolved", "outcome": "Đã làm rõ."},
        format="json",
    )
    assert response.json() == {
        "status": ["Không thể chuyển từ “Mới mở” sang “Đã giải quyết, làm rõ”."]
    }


def test_transition_of_a_closed_dossier_is_refused(scene):
    end_dossier(scene.dossier, DossierStatus.RESOLVED, on=d("10/03/2010"))
    response = api_as(scene.world.officer_a).post(
        dossier_url(scene.dossier, "transition"), {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()


# --- subjects ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("vang seo dinh", True),
        ("VÀNG SEO DÍNH", True),
        ("Dinh", True),
        ("073012345", True),  # document number
        ("nguyen", False),
    ],
)
def test_subjects_search_without_diacritics(scene, q, found):
    response = api_as(scene.world.officer_a).get(reverse("subject-list"), {"q": q})
    assert response.status_code == 200
    names = [r["full_name"] for r in response.json()["results"]]
    assert names == (["Vàng Seo Dính"] if found else [])


def test_subjects_search_does_not_reach_others(scene):
    response = api_as(scene.officer_c).get(reverse("subject-list"), {"q": "vang seo dinh"})
    assert response.json()["count"] == 0
    response = api_as(scene.officer_c).get(reverse("subject-detail", args=[scene.subject.pk]))
    assert response.status_code == 404


def test_subject_detail_has_documents(scene):
    response = api_as(scene.world.officer_b).get(
        reverse("subject-detail", args=[scene.subject.pk]), {"purpose": "verification"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["birth"] == "1982"
    assert body["owner_agency"] == "cat"
    assert body["documents"] == [
        {"kind": "cmnd", "number": "073012345", "country": "VN", "valid_until": None}
    ]


def test_create_subject_suggests_han_viet_and_pinyin(scene):
    api = api_as(scene.world.officer_b)
    response = api.post(
        reverse("subject-list"),
        {
            "native_name": "王小明",
            "sex": "M",
            "nationality": "cn",
            "documents": [{"kind": "passport", "number": "e 1234 5678", "country": "CN"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["full_name"] == body["han_viet"] == "Vương Tiểu Minh"
    assert body["pinyin"] == "Wang Xiaoming"
    assert body["nationality"] == "CN"
    assert body["owner_agency"] == "sngv"
    assert body["documents"][0]["number"] == "E12345678"
    # registered but in no dossier yet: visible to its own agency only
    found = api.get(reverse("subject-list"), {"q": "vuong tieu minh"}).json()
    assert found["count"] == 1
    assert (
        api_as(scene.world.officer_a).get(reverse("subject-list"), {"q": "wang"}).json()["count"]
        == 0
    )


def test_create_subject_without_any_name_is_400(scene):
    before = saved_state()
    response = api_as(scene.world.officer_a).post(
        reverse("subject-list"), {"sex": "M"}, format="json"
    )
    assert response.status_code == 400
    assert "full_name" in response.json()
    assert saved_state() == before


def test_create_subject_as_oversight_is_404(scene):
    before = saved_state()
    response = api_as(scene.world.oversight).post(
        reverse("subject-list"), {"full_name": "Hầu Mí Lử"}, format="json"
    )
    assert response.status_code == 404
    assert saved_state() == before


# --- regulations ------------------------------------------------------------------------------


def test_regulation_list(scene):
    response = api_as(scene.world.oversight).get(reverse("regulation-list"))
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["code"] == "QC-THU"
    assert sorted(item["parties"]) == ["cat", "sngv"]
    assert item["status"] == "signed"
    assert item["state"] == "in_force"


def test_regulation_detail_with_chapters(scene):
    response = api_as(scene.officer_c).get(reverse("regulation-detail", args=["QC-THU"]))
    assert response.status_code == 200
    body = response.json()
    (chapter,) = body["chapters"]
    assert chapter["number"] == 1
    (article,) = chapter["articles"]
    assert article["number"] == 5
    clauses = {c["number"]: c for c in article["clauses"]}
    assert sorted(clauses) == [1, 2]
    assert {
        (r["agency"], r["role"], r["response_days"]) for r in clauses[1]["responsibilities"]
    } == {
        ("cat", "lead", 10),
        ("sngv", "support", 5),
    }
    lead_verification = next(r for r in clauses[2]["responsibilities"] if r["role"] == "lead")
    assert (lead_verification["response_days"], lead_verification["response_hours"]) == (None, 48)
    categories = {c["code"]: c for c in body["categories"]}
    assert sorted(categories) == ["an-hinh-su", "bien-gioi", "xac-minh"]
    assert (categories["xac-minh"]["article"], categories["xac-minh"]["clause"]) == (5, 2)


def test_regulation_detail_unknown_code_is_404(scene):
    response = api_as(scene.world.officer_a).get(reverse("regulation-detail", args=["QC-KHAC"]))
    assert response.status_code == 404


# --- statistics -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "abc", "date_to": "2010-12-31"}, "date_from"),
        ({"date_from": "2010-01-01", "date_to": "2010-02-30"}, "date_to"),
        ({"date_from": "2010-01-01"}, "date_to"),
        ({}, "date_from"),
        ({"date_from": "2010-12-31", "date_to": "2010-01-01"}, "date_to"),
        (
            {"date_from": "2010-01-01", "date_to": "2010-12-31", "regulation": "QC-KHAC"},
            "regulation",
        ),
    ],
)
def test_statistics_with_bad_dates_is_400(scene, params, field):
    response = api_as(scene.world.oversight).get(reverse("api-statistics"), params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_statistics_for_a_period(scene):
    w = scene.world
    end_dossier(scene.dossier, on=d("20/04/2010"))
    params = {"date_from": "2010-01-01", "date_to": "31/12/2010", "regulation": "QC-THU"}
    body = api_as(w.oversight).get(reverse("api-statistics"), params).json()
    assert body["period"] == {"from": "2010-01-01", "to": "2010-12-31"}
    assert body["regulation"] == "QC-THU"
    assert body["joint_criminal_cases_cleared"] == 1
    assert body["dossiers_resolved"] == 1
    assert body["by_crime_type"] == [
        {
            "crime_type": "mua-ban-nguoi",
            "name": "Mua bán người",
            "penal_code_article": "Điều 119 BLHS 1999",
            "count": 1,
        }
    ]
    # an officer of an agency outside the dossier aggregates nothing of it
    other = api_as(scene.officer_c).get(reverse("api-statistics"), params).json()
    assert other["joint_criminal_cases_cleared"] == 0


# --- token sign-in ----------------------------------------------------------------------------


def test_token_authentication_works_for_an_ordinary_user(scene):
    token = Token.objects.create(user=scene.world.officer_a)
    client = APIClient()
    response = client.get(reverse("dossier-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_demo_user_token_is_refused_when_the_demo_is_off(scene, settings):
    settings.PHOIHOP_DEMO = False
    demo = UserFactory(username="demo.api", agency=scene.world.a, is_demo=True)
    token = Token.objects.create(user=demo)
    response = APIClient().get(reverse("dossier-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code in (401, 403)


# --- the OpenAPI schema -----------------------------------------------------------------------

EXPECTED_PATHS = {
    "/api/dossiers/": {"get", "post"},
    "/api/dossiers/{id}/": {"get", "patch"},
    "/api/dossiers/{id}/transition/": {"post"},
    "/api/subjects/": {"get", "post"},
    "/api/subjects/{id}/": {"get"},
    "/api/subjects/match/": {"post"},
    "/api/regulations/": {"get"},
    "/api/regulations/{code}/": {"get"},
    "/api/statistics/": {"get"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def openapi(world):
    response = api_as(world.officer_a).get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_schema_loads_and_lists_the_paths(openapi):
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"] == "phoihop API"
    paths = {path: set(ops) & HTTP_METHODS for path, ops in openapi["paths"].items()}
    assert paths == EXPECTED_PATHS


def test_schema_documents_the_write_bodies(openapi):
    schemas = openapi["components"]["schemas"]
    create = schemas["DossierCreateRequest"]
    assert set(create["required"]) == {"category", "title", "lead_agency"}
    assert {"supporting_agencies", "counterpart", "classification", "opened_on"} <= set(
        create["properties"]
    )
    assert schemas["TransitionRequest"]["required"] == ["status"]
    body = openapi["paths"]["/api/dossiers/"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DossierCreateRequest"
    }
    params = {p["name"] for p in openapi["paths"]["/api/statistics/"]["get"]["parameters"]}
    assert {"date_from", "date_to", "regulation"} <= params


def _to_json_schema(node):
    """OpenAPI 3.0 schema objects → JSON Schema (nullable → null allowed)."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _to_json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [{"type": "null"}, node]}
    return node


def validate(openapi, component: str, instance) -> None:
    document = {
        "$ref": f"#/components/schemas/{component}",
        "components": _to_json_schema(copy.deepcopy(openapi["components"])),
    }
    jsonschema.Draft202012Validator(document).validate(instance)


def declared(openapi, component: str) -> set[str]:
    return set(openapi["components"]["schemas"][component]["properties"])


def _list_response(openapi, path: str) -> str:
    ok = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return ok["schema"]["$ref"].rsplit("/", 1)[1]


def test_dossier_list_items_use_only_declared_keys(openapi, scene):
    api = api_as(scene.world.officer_a)
    open_dossier(scene.world.border, scene.world.a, title="Vụ việc không có đối tác")
    body = api.get(reverse("dossier-list")).json()
    page = _list_response(openapi, "/api/dossiers/")
    assert page == "PaginatedDossierList"
    assert set(body) <= declared(openapi, page)
    item_component = openapi["components"]["schemas"][page]["properties"]["results"]["items"][
        "$ref"
    ].rsplit("/", 1)[1]
    assert len(body["results"]) == 2
    for item in body["results"]:
        undeclared = set(item) - declared(openapi, item_component)
        assert not undeclared, f"keys returned but not in the schema: {undeclared}"
        required = set(openapi["components"]["schemas"][item_component]["required"])
        assert required <= set(item)


def test_dossier_responses_validate_against_the_schema(openapi, scene):
    api = api_as(scene.world.officer_a)
    validate(openapi, "PaginatedDossierList", api.get(reverse("dossier-list")).json())
    detail = api.get(dossier_url(scene.dossier)).json()
    assert set(detail) == declared(openapi, "DossierDetail")
    validate(openapi, "DossierDetail", detail)


def test_a_dossier_without_counterpart_validates_against_the_schema(openapi, scene):
    api = api_as(scene.world.officer_a)
    bare = open_dossier(scene.world.border, scene.world.a, title="Vụ việc không có đối tác")
    body = api.get(dossier_url(bare)).json()
    assert body["counterpart"] is None
    validate(openapi, "DossierDetail", body)


def test_subject_and_regulation_responses_validate_against_the_schema(openapi, scene):
    api = api_as(scene.world.officer_a)
    subjects = api.get(reverse("subject-list")).json()
    assert _list_response(openapi, "/api/subjects/") == "PaginatedSubjectList"
    validate(openapi, "PaginatedSubjectList", subjects)
    for item in subjects["results"]:
        assert set(item) <= declared(openapi, "Subject")
    detail = api.get(
        reverse("subject-detail", args=[scene.subject.pk]), {"purpose": "casework"}
    ).json()
    assert set(detail) == declared(openapi, "SubjectDetail")
    validate(openapi, "SubjectDetail", detail)
    regulation = api.get(reverse("regulation-detail", args=["QC-THU"])).json()
    assert set(regulation) == declared(openapi, "RegulationDetail")
    validate(openapi, "RegulationDetail", regulation)
    validate(openapi, "PaginatedRegulationList", api.get(reverse("regulation-list")).json())


def test_schema_validation_catches_a_wrong_response(openapi, scene):
    """The validator above is not vacuous."""
    item = api_as(scene.world.officer_a).get(dossier_url(scene.dossier)).json()
    broken = {**item, "status": "archived"}
    with pytest.raises(jsonschema.ValidationError):
        validate(openapi, "DossierDetail", broken)
    with pytest.raises(jsonschema.ValidationError):
        validate(openapi, "DossierDetail", {k: v for k, v in item.items() if k != "reference"})
