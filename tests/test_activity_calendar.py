"""The activities calendar: month and week grids, filters, conflicts, the ICS agenda.

Activities are made here as the services leave them (a dossier opened under the
delegation-security clause, then the activity's own rows), so that each test says
exactly which itinerary stops and measures it has.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phoihop.accounts.choices import Role
from phoihop.activities import calendar, calendar_views, ics
from phoihop.activities import services as activity_services
from phoihop.activities.choices import (
    ActivityKind,
    ActivityStatus,
    MeasureKind,
    MemberRole,
    VettingResult,
)
from phoihop.activities.models import Activity, ActivityMember, ItineraryDay, SecurityMeasure
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.core.text import fold
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.models import Task
from phoihop.regulations.choices import CategoryKind, ResponsibilityRole
from phoihop.subjects.models import Subject
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    UnitFactory,
    UserFactory,
    clause_with_responsibilities,
)
from tests.web_fixtures import d, login

MONTH = reverse("activities:calendar")
WEEK = reverse("activities:calendar-week")
ICS = reverse("activities:calendar-ics")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def cal(world):
    """The Department of Foreign Affairs (B) leads activities, the Police (A) vets them.

    A third domestic agency C (the Border Guard) works with B on some activities that
    the Police are not party to; a second unit of the Police secures activities.
    """
    c = AgencyFactory(
        code="bdbp", name="Bộ đội Biên phòng tỉnh Hà Giang", short_name="BĐBP", document_prefix="BP"
    )
    security = UnitFactory(agency=world.a, code="an-ninh-doi-ngoai", name="Phòng An ninh đối ngoại")
    traffic = UnitFactory(agency=world.a, code="csgt", name="Phòng Cảnh sát giao thông")
    clause = clause_with_responsibilities(
        world.article,
        3,
        [
            {"agency": world.b, "role": ResponsibilityRole.LEAD, "response_days": 10},
            {
                "agency": world.a,
                "role": ResponsibilityRole.SUPPORT,
                "response_days": 5,
                "task_title": "Thẩm tra thành viên đoàn, đánh giá an ninh",
            },
        ],
    )
    category = CategoryFactory(
        regulation=world.regulation,
        clause=clause,
        code="an-ninh-doan",
        name="Bảo đảm an ninh đoàn nước ngoài",
        kind=CategoryKind.DELEGATION_SECURITY,
    )
    officer_c = UserFactory(
        username="c.canbo", agency=c, role=Role.OFFICER, clearance=Classification.TUYET_MAT
    )
    security_officer = UserFactory(
        username="a.anninh",
        agency=world.a,
        unit=security,
        role=Role.OFFICER,
        clearance=Classification.MAT,
    )
    low_a = UserFactory(
        username="a.thuong",
        agency=world.a,
        unit=world.unit_a,
        role=Role.OFFICER,
        clearance=Classification.THUONG,
    )
    return SimpleNamespace(
        world=world,
        c=c,
        security=security,
        traffic=traffic,
        category=category,
        officer_c=officer_c,
        security_officer=security_officer,
        low_a=low_a,
    )


def make(
    cal,
    title: str,
    starts: str,
    ends: str | None = None,
    *,
    kind: str = ActivityKind.INCOMING,
    status: str = ActivityStatus.REGISTERED,
    supporting=None,
    classification: int = Classification.THUONG,
    stops=(),
    measures=(),
    vetting: bool = False,
) -> Activity:
    """An activity led by B (supporting: A unless said), its stops and measures.

    stops: (day, place, venue[, border_gate]); measures: (unit, day or None).
    """
    w = cal.world
    starts_on = d(starts)
    dossier = dossier_services.dossier_open(
        actor=SYSTEM,
        category=cal.category,
        title=title,
        lead_agency=w.b,
        supporting_agencies=[w.a] if supporting is None else supporting,
        counterpart=w.f,
        opened_on=dt.date(2010, 1, 4),
        classification=classification,
    )
    activity = Activity.objects.create(
        dossier=dossier,
        kind=kind,
        purpose="Làm việc, trao đổi về hợp tác biên giới.",
        starts_on=starts_on,
        ends_on=d(ends) if ends else starts_on,
        status=status,
    )
    for stop in stops:
        day, place, venue, *gate = stop
        ItineraryDay.objects.create(
            activity=activity,
            day=d(day),
            place=place,
            venue=venue,
            venue_key=fold(venue),
            border_gate=gate[0] if gate else "",
            border_area=bool(gate),
        )
    for unit, day in measures:
        SecurityMeasure.objects.create(
            activity=activity,
            kind=MeasureKind.ESCORT,
            unit=unit,
            day=d(day) if day else None,
            description="Dẫn đường, bảo vệ đoàn.",
        )
    if vetting:
        activity.vetting_task = Task.objects.get(dossier=dossier, agency=w.a)
        activity.save(update_fields=["vetting_task"])
    return activity


def get_page(client, user, url, **params):
    login(client, user)
    return client.get(url, params)


def page_tree(response):
    return lxml.html.fromstring(response.content.decode())


def grid_cell(response, day: str) -> str:
    """The text of the grid's cell (month) or row (week) of `day` (dd/mm/yyyy)."""
    iso = d(day).isoformat()
    tree = page_tree(response)
    grid = tree.xpath("//table[contains(concat(' ', @class, ' '), ' cal ')]")
    assert len(grid) == 1
    tag = "td" if "cal-month" in grid[0].get("class") else "tr"
    cells = grid[0].xpath(f".//tbody//{tag}[.//time[@datetime='{iso}']]")
    assert len(cells) == 1, f"no single cell for {day}"
    return " ".join(cells[0].text_content().split())


def grid_dates(response) -> list[str]:
    tree = page_tree(response)
    grid = tree.xpath("//table[contains(concat(' ', @class, ' '), ' cal ')]")[0]
    return [t.get("datetime") for t in grid.xpath(".//tbody//time")]


def conflict_list(response) -> list[str]:
    tree = page_tree(response)
    rows = tree.xpath("//section[contains(@class, 'cal-conflicts')]//tbody/tr")
    return [" ".join(r.text_content().split()) for r in rows]


# --- grids ------------------------------------------------------------------------------------


def test_a_month_starting_on_a_sunday_starts_its_grid_on_the_monday_before(cal, client):
    # August 2010 begins on a Sunday and ends on a Tuesday.
    assert calendar.month_grid_range(d("15/08/2010")) == (d("26/07/2010"), d("05/09/2010"))
    response = get_page(client, cal.world.officer_a, MONTH, date="15/08/2010")
    assert response.status_code == 200
    tree = page_tree(response)
    headers = [th.text_content() for th in tree.xpath("//table[@class='cal cal-month']//thead//th")]
    assert headers == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
    dates = grid_dates(response)
    assert len(dates) == 42  # six weeks of seven days
    assert dates[0] == "2010-07-26" and dates[6] == "2010-08-01" and dates[-1] == "2010-09-05"
    assert "Tháng 8/2010" in response.content.decode()
    # The Sunday the month begins with is in the first row, last column.
    first_row = tree.xpath("//table[@class='cal cal-month']//tbody/tr")[0]
    assert first_row.xpath("./td")[6].xpath(".//time")[0].get("datetime") == "2010-08-01"
    assert "cal-outside" in first_row.xpath("./td")[0].get("class")
    assert "cal-outside" not in first_row.xpath("./td")[6].get("class")


def test_an_activity_is_shown_on_every_day_it_spans_with_that_days_place(cal, client):
    make(
        cal,
        "Đoàn châu Văn Sơn thăm và làm việc",
        "30/07/2010",
        "02/08/2010",
        stops=[
            ("30/07/2010", "Thành phố Hà Giang", "Nhà khách UBND tỉnh"),
            ("01/08/2010", "Huyện Vị Xuyên", "Trạm kiểm soát liên hợp", "Thanh Thủy"),
        ],
    )
    response = get_page(client, cal.world.officer_b, MONTH, date="01/08/2010")
    for day in ("30/07/2010", "31/07/2010", "01/08/2010", "02/08/2010"):
        text = grid_cell(response, day)
        assert "Đoàn châu Văn Sơn thăm và làm việc" in text, day
        assert "Đoàn vào" in text and "Đã đăng ký" in text, day
        assert "30/07/2010 – 02/08/2010" in text, day
    assert "Nhà khách UBND tỉnh" in grid_cell(response, "30/07/2010")
    assert "Nhà khách UBND tỉnh" not in grid_cell(response, "31/07/2010")
    assert "Trạm kiểm soát liên hợp" in grid_cell(response, "01/08/2010")
    assert "cửa khẩu Thanh Thủy" in grid_cell(response, "01/08/2010")
    for day in ("29/07/2010", "03/08/2010"):
        assert "Đoàn châu Văn Sơn" not in grid_cell(response, day)


def test_a_week_across_two_months_runs_monday_to_sunday(cal, client):
    make(
        cal,
        "Hội chợ thương mại quốc tế Việt – Trung",
        "31/03/2010",
        "01/04/2010",
        kind=ActivityKind.EVENT,
    )
    response = get_page(client, cal.world.officer_a, WEEK, date="01/04/2010")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tuần từ 29/03/2010 đến 04/04/2010" in page
    tree = page_tree(response)
    rows = tree.xpath("//table[@class='cal cal-week']//tbody/tr")
    assert [r.xpath(".//time")[0].get("datetime") for r in rows] == [
        "2010-03-29", "2010-03-30", "2010-03-31", "2010-04-01",
        "2010-04-02", "2010-04-03", "2010-04-04",
    ]  # fmt: skip
    assert " ".join(rows[0].xpath("./th")[0].text_content().split()) == "Thứ Hai 29/03/2010"
    for day in ("31/03/2010", "01/04/2010"):
        assert "Hội chợ thương mại quốc tế" in grid_cell(response, day)
        assert "Sự kiện" in grid_cell(response, day)
    for day in ("30/03/2010", "02/04/2010"):
        assert "Hội chợ thương mại quốc tế" not in grid_cell(response, day)


def test_navigation_moves_by_month_and_by_week_and_keeps_the_filters(cal, client):
    response = get_page(client, cal.world.officer_a, MONTH, date="15/01/2010", kind="event")
    tree = page_tree(response)
    prev = tree.xpath("//nav[@class='cal-nav']//a[@rel='prev']")[0].get("href")
    nxt = tree.xpath("//nav[@class='cal-nav']//a[@rel='next']")[0].get("href")
    assert "date=01%2F12%2F2009" in prev and "kind=event" in prev
    assert "date=01%2F02%2F2010" in nxt and "kind=event" in nxt
    assert "Tháng 12/2009" in client.get(prev).content.decode()

    response = get_page(client, cal.world.officer_a, WEEK, date="01/04/2010", status="vetting")
    tree = page_tree(response)
    prev = tree.xpath("//nav[@class='cal-nav']//a[@rel='prev']")[0].get("href")
    nxt = tree.xpath("//nav[@class='cal-nav']//a[@rel='next']")[0].get("href")
    assert "date=22%2F03%2F2010" in prev and "status=vetting" in prev
    assert "Tuần từ 05/04/2010 đến 11/04/2010" in client.get(nxt).content.decode()


def test_today_is_marked(cal, client, monkeypatch):
    monkeypatch.setattr(calendar_views, "_today", lambda: d("17/03/2010"))
    response = get_page(client, cal.world.officer_a, MONTH)
    tree = page_tree(response)
    today = tree.xpath("//td[@aria-current='date']")
    assert len(today) == 1
    assert today[0].xpath(".//time")[0].get("datetime") == "2010-03-17"
    assert "Hôm nay" in today[0].text_content()
    assert "Tháng 3/2010" in response.content.decode()


def test_a_date_that_is_not_one_is_refused_naming_the_field(cal, client):
    make(cal, "Đoàn phóng viên nước ngoài", "15/03/2010", kind=ActivityKind.PRESS)
    response = get_page(client, cal.world.officer_a, MONTH, date="31/02/2010")
    assert response.status_code == 400
    summary = page_tree(response).xpath("//div[@class='error-summary']")[0].text_content()
    assert "Ngày cần xem" in summary
    assert "Đoàn phóng viên nước ngoài" not in response.content.decode()
    for far in ("01/01/0001", "31/12/9999"):
        response = get_page(client, cal.world.officer_a, WEEK, date=far)
        assert response.status_code == 400
        assert "Chỉ xem được lịch từ năm 1900 đến năm 2100" in response.content.decode()


# --- filters and the policy -------------------------------------------------------------------


def test_filters_by_kind_status_and_agency(cal, client):
    w = cal.world
    make(
        cal,
        "Đoàn Hồng Hà vào tỉnh",
        "10/03/2010",
        kind=ActivityKind.INCOMING,
        status=ActivityStatus.VETTING,
    )
    make(
        cal,
        "Đoàn tỉnh sang Vân Nam",
        "11/03/2010",
        kind=ActivityKind.OUTGOING,
        status=ActivityStatus.ANSWERED,
    )
    make(
        cal,
        "Khảo sát của biên phòng với phóng viên",
        "12/03/2010",
        kind=ActivityKind.PRESS,
        supporting=[w.a, cal.c],
    )
    make(
        cal,
        "Tổ chức phi chính phủ khảo sát dự án",
        "13/03/2010",
        kind=ActivityKind.NGO,
        supporting=[cal.c],
    )

    def titles(user, **params):
        page = get_page(client, user, MONTH, date="01/03/2010", **params).content.decode()
        return {t for t in ("Đoàn Hồng Hà", "Đoàn tỉnh sang", "Khảo sát của biên phòng",
                            "Tổ chức phi chính phủ") if t in page}  # fmt: skip

    a, b = w.officer_a, w.officer_b
    assert titles(a) == {"Đoàn Hồng Hà", "Đoàn tỉnh sang", "Khảo sát của biên phòng"}
    assert titles(a, kind="outgoing") == {"Đoàn tỉnh sang"}
    assert titles(a, status="vetting") == {"Đoàn Hồng Hà"}
    assert titles(a, kind="incoming", status="answered") == set()
    # The activities shared with the Border Guard, of those the Police may see.
    assert titles(a, agency=str(cal.c.pk)) == {"Khảo sát của biên phòng"}
    assert titles(b, agency=str(cal.c.pk)) == {"Khảo sát của biên phòng", "Tổ chức phi chính phủ"}
    response = get_page(client, a, MONTH, agency="tat-ca-moi-nguoi")
    assert response.status_code == 400
    assert "Cơ quan tham gia" in response.content.decode()


def test_the_combined_view_shows_only_what_the_user_may_see(cal, client):
    w = cal.world
    make(cal, "Đoàn Văn Sơn dự giao ban biên giới", "08/03/2010")
    make(cal, "Hoạt động riêng của Sở Ngoại vụ và Biên phòng", "09/03/2010", supporting=[cal.c])
    make(cal, "Đoàn bí mật của tỉnh", "10/03/2010", classification=Classification.MAT)

    for user, seen, unseen in (
        (w.officer_a, {"Đoàn Văn Sơn", "Đoàn bí mật"}, {"Hoạt động riêng"}),
        (cal.low_a, {"Đoàn Văn Sơn"}, {"Hoạt động riêng", "Đoàn bí mật"}),
        (cal.officer_c, {"Hoạt động riêng"}, {"Đoàn Văn Sơn", "Đoàn bí mật"}),
        (w.officer_b, {"Đoàn Văn Sơn", "Hoạt động riêng", "Đoàn bí mật"}, set()),
    ):
        for url in (MONTH, WEEK):
            page = get_page(client, user, url, date="08/03/2010", agency="all").content.decode()
            assert all(t in page for t in seen), (user, url)
            assert not any(t in page for t in unseen), (user, url)
    # The classified one carries its mark.
    page = get_page(client, w.officer_a, MONTH, date="08/03/2010", agency="all")
    assert "Mật" in grid_cell(page, "10/03/2010")


def test_oversight_and_administrators_reach_no_calendar(cal, client):
    w = cal.world
    for user in (w.oversight, w.admin):
        for url in (MONTH, WEEK, ICS):
            assert get_page(client, user, url).status_code == 404, (user, url)


@pytest.mark.parametrize("url", [MONTH, WEEK, ICS])
def test_anonymous_users_are_sent_to_sign_in(cal, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- conflicts --------------------------------------------------------------------------------


def test_same_venue_same_day_is_a_conflict_whatever_the_spelling(cal):
    first = make(
        cal,
        "Đoàn Văn Sơn",
        "15/03/2010",
        "16/03/2010",
        stops=[("15/03/2010", "Thành phố Hà Giang", "Nhà khách UBND tỉnh")],
    )
    second = make(
        cal,
        "Đoàn Hồng Hà",
        "15/03/2010",
        stops=[("15/03/2010", "TP Hà Giang", "nha khach  UBND TINH")],
    )
    third = make(
        cal,
        "Đoàn báo chí",
        "16/03/2010",
        stops=[("16/03/2010", "TP Hà Giang", "Nhà khách UBND tỉnh")],
    )
    found = calendar.conflicts(Activity.objects.all(), d("01/03/2010"), d("31/03/2010"))
    assert [(c.day, c.kind, {c.first, c.second}) for c in found] == [
        (d("15/03/2010"), calendar.VENUE, {first, second}),
    ]
    assert found[0].what == "Nhà khách UBND tỉnh / nha khach  UBND TINH"
    # The third uses the venue the next day, when the first has no stop there.
    assert third not in {found[0].first, found[0].second}


def test_spelling_variants_conflict_through_the_itinerary_service(cal):
    first = make(cal, "Đoàn Văn Sơn", "15/03/2010")
    second = make(cal, "Đoàn Hồng Hà", "15/03/2010")
    for activity, venue in ((first, "Khách sạn Đồng Văn"), (second, "khach san dong van")):
        activity_services.itinerary_set(
            actor=SYSTEM,
            activity=activity,
            days=[{"day": d("15/03/2010"), "place": "Huyện Đồng Văn", "venue": venue}],
        )
    found = calendar.conflicts([first, second], d("15/03/2010"), d("15/03/2010"))
    assert len(found) == 1 and found[0].kind == calendar.VENUE


def test_same_unit_same_day_is_a_conflict_for_a_day_or_for_every_day(cal):
    # The first needs the security unit every day (no day named), the second on the 16th.
    first = make(cal, "Đoàn Văn Sơn", "15/03/2010", "17/03/2010", measures=[(cal.security, None)])
    second = make(
        cal,
        "Đoàn Hồng Hà",
        "16/03/2010",
        "18/03/2010",
        measures=[(cal.security, "16/03/2010"), (cal.traffic, None)],
    )
    found = calendar.conflicts(Activity.objects.all(), d("01/03/2010"), d("31/03/2010"))
    assert [(c.day, c.kind, c.unit, c.first, c.second) for c in found] == [
        (d("16/03/2010"), calendar.UNIT, cal.security, first, second),
    ]
    assert found[0].what == "Phòng An ninh đối ngoại"


def test_no_conflict_on_different_days_nor_with_a_cancelled_activity(cal):
    make(
        cal,
        "Đoàn Văn Sơn",
        "15/03/2010",
        stops=[("15/03/2010", "TP Hà Giang", "Nhà khách UBND tỉnh")],
        measures=[(cal.security, None)],
    )
    make(
        cal,
        "Đoàn Hồng Hà",
        "16/03/2010",
        stops=[("16/03/2010", "TP Hà Giang", "Nhà khách UBND tỉnh")],
        measures=[(cal.security, None)],
    )
    make(
        cal,
        "Đoàn đã hủy",
        "15/03/2010",
        status=ActivityStatus.CANCELLED,
        stops=[("15/03/2010", "TP Hà Giang", "Nhà khách UBND tỉnh")],
        measures=[(cal.security, "15/03/2010")],
    )
    make(
        cal, "Đoàn không ghi nơi làm việc", "15/03/2010", stops=[("15/03/2010", "TP Hà Giang", "")]
    )
    make(
        cal,
        "Đoàn không ghi nơi làm việc 2",
        "15/03/2010",
        stops=[("15/03/2010", "TP Hà Giang", "")],
    )
    assert calendar.conflicts(Activity.objects.all(), d("01/03/2010"), d("31/03/2010")) == []


def test_conflicts_are_marked_on_the_day_and_listed_under_the_grid(cal, client):
    make(
        cal,
        "Đoàn Văn Sơn",
        "15/03/2010",
        "16/03/2010",
        stops=[("15/03/2010", "TP Hà Giang", "Nhà khách UBND tỉnh")],
        measures=[(cal.security, None)],
    )
    make(
        cal,
        "Đoàn Hồng Hà",
        "15/03/2010",
        stops=[("15/03/2010", "TP Hà Giang", "Nhà Khách UBND Tỉnh")],
    )
    make(
        cal,
        "Hội nghị biên giới",
        "16/03/2010",
        kind=ActivityKind.EVENT,
        measures=[(cal.security, "16/03/2010")],
    )
    for url in (MONTH, WEEK):
        response = get_page(client, cal.world.officer_a, url, date="15/03/2010")
        assert "Trùng lịch (1)" in grid_cell(response, "15/03/2010")
        assert "Trùng lịch (1)" in grid_cell(response, "16/03/2010")
        assert "Trùng lịch" not in grid_cell(response, "17/03/2010")
        rows = conflict_list(response)
        assert len(rows) == 2
        assert rows[0].startswith("15/03/2010 Trùng nơi làm việc")
        assert "Đoàn Văn Sơn" in rows[0] and "Đoàn Hồng Hà" in rows[0]
        assert rows[1].startswith("16/03/2010 Trùng đơn vị Phòng An ninh đối ngoại")
        assert "Đoàn Văn Sơn" in rows[1] and "Hội nghị biên giới" in rows[1]
        badge = page_tree(response).xpath("//a[contains(@class, 'cal-conflict-badge')]/@href")
        assert "#xung-dot-2010-03-15" in badge
        assert page_tree(response).xpath("//tr[@id='xung-dot-2010-03-15']")
    # A conflict with an activity the user may not see is not shown.
    response = get_page(client, cal.officer_c, MONTH, date="15/03/2010", agency="all")
    assert conflict_list(response) == []


def test_a_filter_does_not_hide_a_conflict_with_an_activity_filtered_out(cal, client):
    make(cal, "Đoàn Văn Sơn", "15/03/2010", measures=[(cal.security, None)])
    make(
        cal,
        "Hội nghị biên giới",
        "15/03/2010",
        kind=ActivityKind.EVENT,
        measures=[(cal.security, None)],
    )
    response = get_page(client, cal.world.officer_a, MONTH, date="15/03/2010", kind="event")
    assert "Đoàn Văn Sơn" not in grid_cell(response, "15/03/2010")
    rows = conflict_list(response)
    assert len(rows) == 1 and "Đoàn Văn Sơn" in rows[0] and "Hội nghị biên giới" in rows[0]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"date": "12/03/2010", "agency": "all"})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _crowd(cal, start: int, n: int):
    """n activities over 10–20/03/2010, sharing venues and units so that many conflict."""
    for i in range(start, start + n):
        day = 10 + i % 8
        make(
            cal,
            f"Đoàn thứ {i}",
            f"{day:02d}/03/2010",
            f"{day + 2:02d}/03/2010",
            stops=[
                (
                    f"{day:02d}/03/2010",
                    "TP Hà Giang",
                    ["Nhà khách UBND tỉnh", "Khách sạn Sông Lô"][i % 2],
                ),
                (f"{day + 1:02d}/03/2010", "Huyện Đồng Văn", "Nhà văn hóa huyện"),
            ],
            measures=[(cal.security, None), (cal.traffic, f"{day + 1:02d}/03/2010")],
            vetting=bool(i % 2),
        )


@pytest.mark.parametrize("url", [MONTH, WEEK])
def test_the_calendar_reads_the_same_number_of_queries_for_3_and_12_activities(cal, client, url):
    login(client, cal.world.officer_a)
    client.get(url)  # the session's first read, once
    _crowd(cal, 0, 3)
    few, response = _count_queries(client, url)
    assert conflict_list(response)
    _crowd(cal, 3, 9)
    many, response = _count_queries(client, url)
    assert len(conflict_list(response)) > 10
    assert few == many


def test_conflicts_read_two_queries_whatever_the_number_of_activities(
    cal, django_assert_num_queries
):
    _crowd(cal, 0, 12)
    activities = list(Activity.objects.select_related("dossier"))
    with django_assert_num_queries(2):
        found = calendar.conflicts(activities, d("01/03/2010"), d("31/03/2010"))
    assert found


# --- the ICS agenda ---------------------------------------------------------------------------


TEXT_PROPERTIES = {"SUMMARY", "LOCATION", "DESCRIPTION", "UID"}


def parse_ics(raw: bytes) -> list[dict]:
    """A small RFC 5545 reader: checks the line rules, unfolds, unescapes; the VEVENTs."""
    text = raw.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
        assert "\n" not in line and "\r" not in line
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in logical

    def unescape(value: str) -> str:
        """A TEXT value: a bare , or ; would split it into several values."""
        out, i = [], 0
        while i < len(value):
            ch = value[i]
            if ch == "\\":
                nxt = value[i + 1]
                assert nxt in "nN\\,;", value
                out.append("\n" if nxt in "nN" else nxt)
                i += 2
            else:
                assert ch not in ",;", value
                out.append(ch)
                i += 1
        return "".join(out)

    events, current = [], None
    for line in logical:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name_params, value = line.split(":", 1)
            name, *params = name_params.split(";")
            current[name] = unescape(value) if name in TEXT_PROPERTIES else value
            current[name + ";params"] = params
            current[name + ";raw"] = value
    return events


def test_the_agenda_holds_the_users_own_assignments_only(cal, client):
    w = cal.world
    vetted = make(
        cal,
        "Đoàn châu Văn Sơn",
        "15/03/2010",
        "17/03/2010",
        vetting=True,
        stops=[("15/03/2010", "Thành phố Hà Giang", "Nhà khách UBND tỉnh")],
    )
    secured = make(
        cal,
        "Hội nghị giao ban biên giới",
        "20/04/2010",
        kind=ActivityKind.EVENT,
        measures=[(cal.security, "20/04/2010")],
    )
    make(cal, "Đoàn không giao cho đơn vị nào", "22/04/2010")
    # Assigned to the security unit, but on a dossier the Police are not party to.
    make(
        cal,
        "Hoạt động riêng của Sở Ngoại vụ và Biên phòng",
        "23/04/2010",
        supporting=[cal.c],
        measures=[(cal.security, None)],
    )

    login(client, w.officer_a)  # the liaison unit, which received the vetting task
    response = client.get(ICS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    events = parse_ics(response.content)
    assert [e["SUMMARY"] for e in events] == ["Đoàn châu Văn Sơn"]
    assert events[0]["UID"] == f"activity-{vetted.dossier.reference}@phoihop"

    login(client, cal.security_officer)
    events = parse_ics(client.get(ICS).content)
    assert [e["SUMMARY"] for e in events] == ["Hội nghị giao ban biên giới"]
    assert events[0]["UID"] == f"activity-{secured.dossier.reference}@phoihop"

    # The Department's officer has no unit assigned anywhere.
    login(client, w.officer_b)
    assert parse_ics(client.get(ICS).content) == []

    # Until their unit hosts one.
    hosted = make(cal, "Đoàn do phòng của Sở đón tiếp", "25/04/2010")
    hosted.host_unit = w.officer_b.unit
    hosted.save(update_fields=["host_unit"])
    events = parse_ics(client.get(ICS).content)
    assert [e["SUMMARY"] for e in events] == ["Đoàn do phòng của Sở đón tiếp"]


def test_the_agenda_dates_are_all_day_with_an_exclusive_end(cal, client):
    make(cal, "Đoàn châu Văn Sơn", "30/03/2010", "01/04/2010", vetting=True)
    make(cal, "Đoàn một ngày", "05/04/2010", vetting=True)
    login(client, cal.world.officer_a)
    events = parse_ics(client.get(ICS).content)
    assert [(e["DTSTART"], e["DTEND"]) for e in events] == [
        ("20100330", "20100402"),
        ("20100405", "20100406"),
    ]
    assert all(e["DTSTART;params"] == ["VALUE=DATE"] for e in events)
    assert all(e["DTEND;params"] == ["VALUE=DATE"] for e in events)
    assert all(e["DTSTAMP"].endswith("Z") for e in events)


def test_the_agenda_escapes_text_and_folds_long_lines(cal, client):
    title = "Đoàn Hồng Hà; Văn Sơn, Vân Nam \\ làm việc với các sở, ngành tỉnh Hà Giang về hợp tác"
    make(
        cal,
        title,
        "15/03/2010",
        vetting=True,
        stops=[("15/03/2010", "Thành phố Hà Giang", "Nhà khách UBND tỉnh, phòng họp số 2")],
    )
    login(client, cal.world.officer_a)
    raw = client.get(ICS).content
    assert b"\r\n " in raw  # folded
    events = parse_ics(raw)
    assert events[0]["SUMMARY"] == title
    assert events[0]["SUMMARY;raw"].startswith("Đoàn Hồng Hà\\; Văn Sơn\\, Vân Nam \\\\ làm")
    assert events[0]["LOCATION"] == "Nhà khách UBND tỉnh, phòng họp số 2, Thành phố Hà Giang"
    assert "\n" in events[0]["DESCRIPTION"]
    assert "15/03/2010" in events[0]["DESCRIPTION"]


def test_fold_never_cuts_a_character_and_escape_handles_line_breaks():
    line = "SUMMARY:" + "Đoàn Hồng Hà " * 20
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert ics.escape_text("a,b;c\\d\r\ne\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    assert ics.fold("SHORT:x") == "SHORT:x"


def test_the_agenda_names_no_member_and_no_vetting_reason(cal, client):
    activity = make(
        cal,
        "Đoàn châu Văn Sơn",
        "15/03/2010",
        vetting=True,
        classification=Classification.MAT,
        stops=[("15/03/2010", "Thành phố Hà Giang", "Nhà khách UBND tỉnh")],
    )
    subject = Subject.objects.create(
        full_name="Vương Tiểu Minh", nationality="CN", owner_agency=cal.world.a
    )
    ActivityMember.objects.create(
        activity=activity,
        subject=subject,
        role=MemberRole.HEAD,
        vetting=VettingResult.ATTENTION,
        vetting_reasons=[{"kind": "dossier", "text": "Đối tượng trong vụ án mua bán người"}],
    )
    Activity.objects.filter(pk=activity.pk).update(assessment="Nguy cơ gây rối tại cửa khẩu")
    login(client, cal.world.officer_a)
    raw = client.get(ICS).content.decode()
    events = parse_ics(raw.encode())
    assert len(events) == 1
    assert "Vương Tiểu Minh" not in raw
    assert "mua bán người" not in raw
    assert "Nguy cơ" not in raw
    # The classification stays visible, as on every classified document; the title and
    # the venue do not leave the system with the file, only the dossier's number.
    assert events[0]["SUMMARY"] == f"[MẬT] Hoạt động đối ngoại, hồ sơ {activity.dossier.reference}"
    assert "Đoàn châu Văn Sơn" not in raw
    assert "LOCATION" not in events[0] and "Nhà khách" not in raw
    assert events[0]["CLASS"] == "CONFIDENTIAL"


def test_the_agenda_uid_stays_the_same_across_downloads(cal, client):
    make(cal, "Đoàn châu Văn Sơn", "15/03/2010", vetting=True)
    login(client, cal.world.officer_a)
    first = parse_ics(client.get(ICS).content)
    second = parse_ics(client.get(ICS).content)
    assert [e["UID"] for e in first] == [e["UID"] for e in second]
    assert first[0]["DTSTAMP"] == second[0]["DTSTAMP"]


def test_a_cancelled_activity_stays_in_the_agenda_marked_cancelled(cal, client):
    make(cal, "Đoàn đã hủy", "15/03/2010", vetting=True, status=ActivityStatus.CANCELLED)
    login(client, cal.world.officer_a)
    events = parse_ics(client.get(ICS).content)
    assert events[0]["STATUS"] == "CANCELLED"


def test_the_calendar_page_asks_only_for_assets_that_exist(cal, client):
    from django.contrib.staticfiles import finders

    page = get_page(client, cal.world.officer_a, MONTH).content.decode()
    assets = page_tree_assets(page)
    assert "phoihop/calendar.css" in assets
    for name in assets:
        assert finders.find(name), name


def page_tree_assets(page: str) -> set[str]:
    from django.conf import settings

    tree = lxml.html.fromstring(page)
    urls = tree.xpath("//link/@href | //script/@src")
    return {u.removeprefix(settings.STATIC_URL) for u in urls if u.startswith(settings.STATIC_URL)}
