"""The dossier list at scale: a count that stops at a cap, pages past it, and filters that
refuse a bad value instead of silently listing without it."""

from __future__ import annotations

import json

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from phoihop.core.pagination import CappedPaginator
from phoihop.dossiers.forms import DossierFilterForm
from phoihop.dossiers.models import Dossier
from phoihop.dossiers.views import _grouped
from tests.factories import open_dossier
from tests.signin import force_login
from tests.web_fixtures import d, login


def html(response) -> str:
    return response.content.decode()


def listed(response) -> list[str]:
    return [dossier.reference for dossier in response.context["page_obj"].object_list]


def _open_many(world, n):
    return [
        open_dossier(
            world.border,
            world.a,
            opened_on=d(f"{1 + i:02d}/03/2010"),
            title=f"Vụ việc biên giới số {i + 1}",
        )
        for i in range(n)
    ]


@pytest.fixture
def cap(monkeypatch):
    """Lower the count cap so that a handful of rows goes past it."""

    def set_cap(n):
        monkeypatch.setattr("phoihop.core.pagination.COUNT_CAP", n)

    return set_cap


# --- the paginator on its own -----------------------------------------------------------------


def test_capped_paginator_counts_exactly_up_to_the_cap():
    paginator = CappedPaginator(list(range(7)), 3, cap=10)
    assert paginator.count == 7
    assert not paginator.capped
    assert paginator.num_pages == 3
    assert list(paginator.get_page(3)) == [6]
    assert not paginator.get_page(3).has_next()


def test_capped_paginator_stops_counting_past_the_cap_and_pages_on():
    paginator = CappedPaginator(list(range(25)), 3, cap=5)
    assert paginator.count == 5
    assert paginator.capped
    first = paginator.get_page(1)
    assert list(first) == [0, 1, 2]
    assert first.has_next() and not first.has_previous()
    # past the counted rows, each page reads whether another follows
    eighth = paginator.get_page(8)
    assert list(eighth) == [21, 22, 23]
    assert eighth.has_next()
    assert eighth.next_page_number() == 9
    assert eighth.start_index() == 22 and eighth.end_index() == 24
    last = paginator.get_page(9)
    assert list(last) == [24]
    assert not last.has_next()


def test_capped_paginator_sends_a_page_past_the_end_or_not_a_number_somewhere_real():
    paginator = CappedPaginator(list(range(25)), 3, cap=5)
    past = paginator.get_page(50)
    assert list(past) == [3, 4, 5]  # the last page that was counted
    assert list(paginator.get_page("abc")) == [0, 1, 2]
    assert list(paginator.get_page(0)) == list(paginator.get_page(paginator.num_pages))
    with pytest.raises(EmptyPage):
        paginator.page(50)


def test_capped_paginator_on_a_queryset_counts_with_a_limit(world):
    _open_many(world, 4)
    queryset = Dossier.objects.order_by("opened_on", "id")
    with CaptureQueriesContext(connection) as ctx:
        paginator = CappedPaginator(queryset, 2, cap=3)
        assert paginator.count == 3
        assert paginator.capped
    assert len(ctx.captured_queries) == 1
    assert "LIMIT" in ctx.captured_queries[0]["sql"].upper()
    assert [x.title for x in paginator.get_page(2)] == [
        "Vụ việc biên giới số 3",
        "Vụ việc biên giới số 4",
    ]
    assert not paginator.get_page(2).has_next()


def test_a_list_longer_than_a_page_is_counted_once(world):
    _open_many(world, 3)
    queryset = Dossier.objects.order_by("opened_on", "id")
    with CaptureQueriesContext(connection) as ctx:
        page = CappedPaginator(queryset, 2).get_page(1)
        assert [x.title for x in page] == ["Vụ việc biên giới số 1", "Vụ việc biên giới số 2"]
        assert page.paginator.count == 3
        assert page.has_next()
    assert len(ctx.captured_queries) == 2


# --- the page ---------------------------------------------------------------------------------


def test_list_shows_the_exact_count_below_the_cap(client, world, cap):
    cap(10)
    _open_many(world, 3)
    login(client, world.officer_a)
    response = client.get(reverse("dossiers:list"))
    assert response.context["count"] == 3
    assert not response.context["count_capped"]
    assert "3 hồ sơ" in html(response)
    assert "Hơn" not in html(response)


def test_list_says_more_than_the_cap_and_still_pages_to_the_end(client, world, cap, monkeypatch):
    cap(2)
    monkeypatch.setattr("phoihop.dossiers.views.PAGE_SIZE", 1)
    _open_many(world, 4)
    login(client, world.officer_a)
    first = client.get(reverse("dossiers:list"), {"sort": "opened"})
    page = html(first)
    assert first.context["count_capped"]
    assert "Hơn 2 hồ sơ" in page
    assert "Trang 1" in page and "Trang 1/" not in page
    assert "page=2" in page
    fourth = client.get(reverse("dossiers:list"), {"sort": "opened", "page": 4})
    assert [x.title for x in fourth.context["page_obj"]] == ["Vụ việc biên giới số 4"]
    assert 'rel="next"' not in html(fourth)
    assert 'rel="prev"' in html(fourth)


def test_a_capped_count_is_written_with_the_thousands_separator(rf):
    page = CappedPaginator([], 50).get_page(1)
    text = render_to_string(
        "dossiers/_rows.html",
        {
            "form": DossierFilterForm(),
            "page_obj": page,
            "sort": "-opened",
            "count": 10_000,
            "count_capped": True,
            "count_grouped": _grouped(10_000),
        },
        request=rf.get(reverse("dossiers:list")),
    )
    assert "Hơn 10.000 hồ sơ" in text


def test_list_page_stays_within_its_query_budget_past_the_cap(client, world, cap):
    cap(2)
    _open_many(world, 5)
    login(client, world.officer_a)
    url = reverse("dossiers:list")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.context["count_capped"]
    assert len(ctx.captured_queries) <= 8


# --- a filter value the form refuses ----------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field_label"),
    [
        ({"q": "vu", "date_from": "31/02/2010"}, "Mở từ ngày"),
        ({"status": "resolved", "category": "999999"}, "Lĩnh vực"),
        ({"classification": "7"}, "Độ mật"),
    ],
)
def test_list_with_a_bad_filter_value_names_the_field_and_lists_nothing(
    client, world, params, field_label
):
    _open_many(world, 3)
    login(client, world.officer_a)
    response = client.get(reverse("dossiers:list"), params)
    assert response.status_code == 200
    assert listed(response) == []
    assert response.context["count"] == 0
    page = html(response)
    assert f"{field_label}: " in page  # the error summary
    assert "Bộ lọc có giá trị không hợp lệ" in page
    assert "Vụ việc biên giới số 1" not in page
    assert reverse("dossiers:export-csv") not in page  # no export of a list that is not there


def test_htmx_partial_with_a_bad_filter_value_shows_the_error_too(client, world):
    _open_many(world, 2)
    login(client, world.officer_a)
    response = client.get(reverse("dossiers:list"), {"date_to": "hôm qua"}, HTTP_HX_REQUEST="true")
    page = html(response)
    assert "<html" not in page
    assert "đến ngày: " in page
    assert "Vụ việc biên giới số" not in page


def test_list_with_good_filters_still_filters(client, world):
    _open_many(world, 3)
    login(client, world.officer_a)
    response = client.get(reverse("dossiers:list"), {"date_from": "02/03/2010", "sort": "opened"})
    assert [x.title for x in response.context["page_obj"]] == [
        "Vụ việc biên giới số 2",
        "Vụ việc biên giới số 3",
    ]


@pytest.mark.parametrize("url_name", ["dossiers:export-csv", "dossiers:export-xlsx"])
def test_export_with_a_bad_filter_value_is_refused_with_the_reason(client, world, url_name):
    _open_many(world, 2)
    login(client, world.officer_a)
    response = client.get(reverse(url_name), {"q": "vu", "date_from": "32/01/2010"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Không xuất được danh sách: bộ lọc có giá trị không hợp lệ." in body
    assert "Mở từ ngày: " in body
    assert "Vụ việc biên giới" not in body


# --- the API list -----------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    force_login(client, user)
    return client


def test_api_list_counts_exactly_below_the_cap(world, cap):
    cap(10)
    _open_many(world, 3)
    body = _api(world.officer_a).get(reverse("dossier-list")).json()
    assert body["count"] == 3
    assert body["count_exact"] is True
    assert body["next"] is None


def test_api_list_past_the_cap_says_so_and_next_leads_to_the_end(world, cap):
    cap(2)
    _open_many(world, 5)
    api = _api(world.officer_a)
    body = api.get(reverse("dossier-list"), {"page_size": 2, "sort": "opened"}).json()
    assert body["count"] == 2
    assert body["count_exact"] is False
    titles = [item["title"] for item in body["results"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        titles += [item["title"] for item in body["results"]]
    assert titles == [f"Vụ việc biên giới số {i}" for i in range(1, 6)]


def test_api_list_with_a_bad_filter_value_is_a_400_naming_the_field(world):
    _open_many(world, 2)
    response = _api(world.officer_a).get(reverse("dossier-list"), {"date_from": "31/02/2010"})
    assert response.status_code == 400
    assert set(response.json()) == {"date_from"}


def test_api_schema_declares_whether_the_count_is_exact(world):
    response = _api(world.officer_a).get(reverse("api-schema"), {"format": "json"})
    schema = json.loads(response.content)["components"]["schemas"]["PaginatedDossierList"]
    assert "count_exact" in schema["required"]
    assert schema["properties"]["count_exact"]["type"] == "boolean"


def test_api_list_stays_within_its_query_budget_past_the_cap(world, cap):
    cap(2)
    _open_many(world, 5)
    api = _api(world.officer_a)
    url = reverse("dossier-list")
    api.get(url)
    with CaptureQueriesContext(connection) as ctx:
        body = api.get(url).json()
    assert body["count_exact"] is False
    assert len(ctx.captured_queries) <= 5
