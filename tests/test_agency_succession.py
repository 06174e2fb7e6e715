"""Agencies merge and are renamed (Hà Giang into Tuyên Quang, 2025): open dossiers, users,
units and regulations pass to the successor; closed dossiers keep the old agency; the
regulations are flagged for re-signing; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from phoihop.accounts import succession
from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Agency, Unit, User
from phoihop.audit.models import AuditEvent
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM, NotFound
from phoihop.dossiers.models import Dossier, DossierParty, Task, TimelineEvent
from phoihop.regulations.choices import RegulationStatus
from phoihop.regulations.models import Regulation
from tests.factories import (
    AgencyFactory,
    ForeignAgencyFactory,
    RegulationFactory,
    UnitFactory,
    end_dossier,
    open_dossier,
)
from tests.signin import force_login

ON = dt.date(2025, 7, 1)


@pytest.fixture
def merger(world):
    """Tuyên Quang's police (T) takes over Hà Giang's (world.a): T already has a unit with
    the code of A's, takes part in one of A's open dossiers, and A has a closed dossier,
    an expired regulation and a draft besides the one in force."""
    t = AgencyFactory(
        code="ca-tuyenquang",
        name="Công an tỉnh Tuyên Quang",
        short_name="CA Tuyên Quang",
        document_prefix="CAT",
    )
    UnitFactory(agency=t, code="tham-muu", name="Phòng Tham mưu")
    led = open_dossier(world.joint, world.a, supporting=[world.b], counterpart=world.f)
    shared = open_dossier(world.border, world.a, supporting=[t])
    supported = open_dossier(world.joint, world.b, supporting=[world.a, t])
    closed = end_dossier(
        open_dossier(world.joint, world.a, supporting=[world.b]), on=dt.date(2010, 6, 1)
    )
    others = open_dossier(world.joint, world.b)  # A takes no part
    expired = RegulationFactory(
        code="qc-cu", parties=[world.a, world.b], effective_to=dt.date(2011, 12, 1)
    )
    draft = RegulationFactory(
        code="qc-du-thao", parties=[world.a, world.b], status=RegulationStatus.DRAFT
    )
    return SimpleNamespace(
        t=t,
        led=led,
        shared=shared,
        supported=supported,
        closed=closed,
        others=others,
        expired=expired,
        draft=draft,
    )


def _parties(dossier) -> set[tuple[str, str]]:
    return set(DossierParty.objects.filter(dossier=dossier).values_list("agency__code", "role"))


def _state():
    return (
        tuple(
            Dossier.objects.order_by("pk").values_list("lead_agency", "counterpart", "updated_at")
        ),
        tuple(DossierParty.objects.order_by("pk").values_list("pk", "agency", "role")),
        tuple(Task.objects.order_by("pk").values_list("agency", flat=True)),
        tuple(User.objects.order_by("pk").values_list("agency", flat=True)),
        tuple(Unit.objects.order_by("pk").values_list("agency", "code", "name")),
        tuple(Agency.objects.order_by("pk").values_list("successor", "succeeded_on")),
        tuple(Regulation.objects.order_by("pk").values_list("needs_resigning", "resigning_reason")),
        tuple(Regulation.parties.through.objects.order_by("pk").values_list("pk", flat=True)),
        TimelineEvent.objects.count(),
        AuditEvent.objects.count(),
    )


# --- the service --------------------------------------------------------------------------------


def test_open_dossiers_pass_to_the_successor_and_closed_ones_keep_the_old_agency(world, merger):
    a, t = world.a, merger.t
    succession.agency_succeed(actor=world.admin, agency=a, successor=t, on=ON)
    for d in (merger.led, merger.shared, merger.supported, merger.closed, merger.others):
        d.refresh_from_db()
    assert merger.led.lead_agency == t
    assert _parties(merger.led) == {("ca-tuyenquang", "lead"), ("sngv", "support")}
    assert merger.led.counterpart == world.f  # a foreign counterpart is not A's to move
    # The successor already supported: one row, the stronger role.
    assert merger.shared.lead_agency == t
    assert _parties(merger.shared) == {("ca-tuyenquang", "lead")}
    assert _parties(merger.supported) == {("sngv", "lead"), ("ca-tuyenquang", "support")}
    assert merger.supported.lead_agency == world.b
    # History stays: the closed dossier still names A.
    assert merger.closed.lead_agency == a
    assert ("cat", "lead") in _parties(merger.closed)
    assert _parties(merger.others) == {("sngv", "lead")}


def test_open_tasks_move_and_done_or_closed_ones_stay(world, merger):
    a, t = world.a, merger.t
    done = Task.objects.filter(dossier=merger.led, agency=a).first()
    done.done_on = dt.date(2010, 3, 2)
    done.save()
    open_before = Task.objects.filter(
        dossier__in=[merger.led, merger.shared, merger.supported], agency=a, done_on__isnull=True
    ).count()
    counts = succession.agency_succeed(actor=SYSTEM, agency=a, successor=t, on=ON)
    assert counts.tasks == open_before
    done.refresh_from_db()
    assert done.agency == a
    assert not Task.objects.filter(
        dossier__in=[merger.led, merger.shared, merger.supported], agency=a, done_on__isnull=True
    ).exists()
    assert Task.objects.filter(dossier=merger.closed, agency=a).exists()


def test_users_and_their_units_move_and_a_taken_unit_code_is_renamed(world, merger):
    a, t = world.a, merger.t
    users = set(User.objects.filter(agency=a).values_list("pk", flat=True))
    succession.agency_succeed(actor=world.admin, agency=a, successor=t, on=ON)
    assert set(User.objects.filter(agency=t).values_list("pk", flat=True)) == users
    assert not User.objects.filter(agency=a).exists()
    world.unit_a.refresh_from_db()
    assert world.unit_a.agency == t
    assert world.unit_a.code == "tham-muu-cat"
    assert world.unit_a.name == "Phòng Tham mưu (Công an tỉnh)"
    officer = User.objects.get(pk=world.officer_a.pk)
    assert officer.unit.agency_id == officer.agency_id == t.pk


def test_the_moved_users_work_the_moved_dossiers(world, merger):
    succession.agency_succeed(actor=SYSTEM, agency=world.a, successor=merger.t, on=ON)
    officer = User.objects.get(pk=world.officer_a.pk)
    visible = set(policy.restrict(Dossier.objects.all(), officer).values_list("pk", flat=True))
    assert {merger.led.pk, merger.shared.pk, merger.supported.pk} <= visible


def test_regulations_not_ended_get_the_successor_and_signed_ones_are_flagged(world, merger):
    a, t = world.a, merger.t
    succession.agency_succeed(actor=SYSTEM, agency=a, successor=t, on=ON, note="QĐ 123")
    in_force = Regulation.objects.get(pk=world.regulation.pk)
    assert set(in_force.parties.values_list("code", flat=True)) == {"cat", "sngv", "ca-tuyenquang"}
    assert in_force.needs_resigning
    assert "Công an tỉnh Hà Giang" in in_force.resigning_reason
    assert "Công an tỉnh Tuyên Quang" in in_force.resigning_reason
    assert "01/07/2025" in in_force.resigning_reason
    draft = Regulation.objects.get(pk=merger.draft.pk)
    assert t in draft.parties.all() and not draft.needs_resigning  # nothing signed yet
    expired = Regulation.objects.get(pk=merger.expired.pk)
    assert t not in expired.parties.all() and not expired.needs_resigning


def test_a_new_version_of_a_flagged_regulation_names_the_successor_and_needs_no_resigning(
    world, merger
):
    from phoihop.regulations import lifecycle
    from phoihop.regulations.models import Responsibility

    a, b, t = world.a, world.b, merger.t
    succession.agency_succeed(actor=SYSTEM, agency=a, successor=t, on=ON)
    flagged = Regulation.objects.get(pk=world.regulation.pk)
    assert flagged.needs_resigning

    version = lifecycle.version_create(
        actor=world.secretariat, regulation=flagged, code="QC-THU-2025"
    )

    assert not version.needs_resigning and version.resigning_reason == ""
    assert set(version.parties.all()) == {b, t}
    rows = set(
        Responsibility.objects.filter(clause__article__chapter__regulation=version).values_list(
            "clause__number", "agency__code", "role", "response_days", "response_hours"
        )
    )
    assert rows == {
        (1, "ca-tuyenquang", "lead", 10, None),
        (1, "sngv", "support", 5, None),
        (2, "ca-tuyenquang", "lead", None, 48),
        (2, "sngv", "support", 7, None),
    }
    event = AuditEvent.objects.filter(action="regulation.version_create").latest("seq")
    assert event.changes["parties_succeeded"] == {str(a.pk): t.pk}
    # the old version keeps its parties and its flag: it is history
    assert a in flagged.parties.all() and flagged.needs_resigning


def test_the_regulation_page_says_to_make_a_new_version_for_re_signing(client, world, merger):
    from phoihop.regulations import lifecycle

    succession.agency_succeed(actor=SYSTEM, agency=world.a, successor=merger.t, on=ON)
    url = reverse("regulations:detail", args=[world.regulation.code])
    create = reverse("regulations:version-create", args=[world.regulation.code])

    force_login(client, world.secretariat)
    page = client.get(url).content.decode()
    assert "Quy chế cần được ký lại." in page
    assert f'<a href="{create}">Tạo phiên bản mới để các bên ký lại</a>' in page
    force_login(client, world.officer_b)
    page = client.get(url).content.decode()
    assert "Cần tạo phiên bản mới để các bên ký lại." in page and create not in page

    draft = lifecycle.version_create(
        actor=world.secretariat, regulation=world.regulation, code="QC-THU-2025"
    )
    force_login(client, world.secretariat)
    page = client.get(url).content.decode()
    assert "Dự thảo phiên bản mới để các bên ký lại:" in page
    assert reverse("regulations:detail", args=[draft.code]) in page
    assert (
        "cần được ký lại"
        not in client.get(reverse("regulations:detail", args=[draft.code])).content.decode()
    )


def test_the_succession_is_recorded_and_audited_with_its_counts(world, merger):
    a, t = world.a, merger.t
    preview = succession.agency_succession_preview(actor=world.admin, agency=a, successor=t, on=ON)
    counts = succession.agency_succeed(
        actor=world.admin, agency=a, successor=t, on=ON, note="Nghị quyết 202/2025/QH15"
    )
    assert counts == preview
    assert (counts.dossiers, counts.parties_merged, counts.users, counts.units) == (3, 2, 5, 1)
    assert (counts.regulations, counts.regulations_flagged) == (2, 1)
    a.refresh_from_db()
    assert (a.successor, a.succeeded_on) == (t, ON)
    assert succession.final_successor(a) == t
    assert succession.lineage_ids(t) == {t.pk, a.pk}

    event = AuditEvent.objects.get(action="account.agency_succeed")
    assert event.object_id == str(a.pk)
    assert event.actor_label == world.admin.username
    assert event.changes["successor_id"] == [None, t.pk]
    assert event.changes["succeeded_on"] == [None, "2025-07-01"]
    assert event.changes["note"] == "Nghị quyết 202/2025/QH15"
    assert event.changes["dossiers"] == 3 and event.changes["users"] == 5
    assert sorted(event.changes["dossier_ids"]) == sorted(
        [merger.led.pk, merger.shared.pk, merger.supported.pk]
    )
    # Each moved dossier's own history and timeline say so; the closed one's do not.
    moved = AuditEvent.objects.filter(action="dossier.agency_succession")
    assert {int(e.object_id) for e in moved} == set(event.changes["dossier_ids"])
    assert TimelineEvent.objects.filter(dossier=merger.led, text__contains="Tuyên Quang").exists()
    assert not TimelineEvent.objects.filter(
        dossier=merger.closed, text__contains="Tuyên Quang"
    ).exists()
    assert AuditEvent.objects.filter(action="account.agency_succession").count() == 5
    assert AuditEvent.objects.filter(action="regulation.agency_succession").count() == 2
    from phoihop.audit.services import audit_verify

    assert audit_verify().ok


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("itself", "successor"),
        ("successor_succeeded", "successor"),
        ("agency_succeeded", "agency"),
        ("foreign_into_domestic", "successor"),
        ("domestic_into_foreign", "successor"),
        ("no_date", "on"),
        ("future_date", "on"),
    ],
)
def test_refusals_name_the_field_and_change_nothing(world, merger, case, field):
    a, t = world.a, merger.t
    args = {"agency": a, "successor": t, "on": ON}
    if case == "itself":
        args["successor"] = a
    elif case == "successor_succeeded":
        final = AgencyFactory(code="ca-moi", name="Công an tỉnh mới")
        succession.agency_succeed(actor=SYSTEM, agency=t, successor=final, on=ON)
    elif case == "agency_succeeded":
        succession.agency_succeed(actor=SYSTEM, agency=a, successor=t, on=ON)
        args["successor"] = AgencyFactory(code="ca-khac")
    elif case == "foreign_into_domestic":
        args["agency"] = world.f
    elif case == "domestic_into_foreign":
        args["successor"] = ForeignAgencyFactory(code="ca-honghe")
    elif case == "no_date":
        args["on"] = None
    elif case == "future_date":
        args["on"] = dt.date.today() + dt.timedelta(days=30)
    args = {k: Agency.objects.get(pk=v.pk) if isinstance(v, Agency) else v for k, v in args.items()}
    before = _state()
    with pytest.raises(ServiceError) as refused:
        succession.agency_succeed(actor=SYSTEM, **args)
    assert field in refused.value.message_dict
    assert _state() == before
    with pytest.raises(ServiceError):
        succession.agency_succession_preview(actor=SYSTEM, **args)


def test_a_chain_is_refused_naming_the_final_successor(world, merger):
    final = AgencyFactory(code="ca-moi", name="Công an tỉnh Tuyên Quang (mới)")
    succession.agency_succeed(actor=SYSTEM, agency=merger.t, successor=final, on=ON)
    t = Agency.objects.get(pk=merger.t.pk)
    with pytest.raises(ServiceError) as refused:
        succession.agency_succeed(actor=SYSTEM, agency=world.a, successor=t, on=ON)
    assert "Công an tỉnh Tuyên Quang (mới)" in refused.value.message_dict["successor"][0]


def test_a_foreign_counterpart_may_pass_to_another_foreign_one(world, merger):
    successor = ForeignAgencyFactory(code="ca-vanson-moi", name="Cục Công an châu Văn Sơn (mới)")
    counts = succession.agency_succeed(actor=SYSTEM, agency=world.f, successor=successor, on=ON)
    assert counts.dossiers == 1
    merger.led.refresh_from_db()
    assert merger.led.counterpart == successor


@pytest.mark.parametrize("who", ["officer_a", "leader_a", "secretariat", "oversight"])
def test_only_administrators_may_record_a_succession(world, merger, who):
    before = _state()
    with pytest.raises(NotFound):
        succession.agency_succeed(
            actor=getattr(world, who), agency=world.a, successor=merger.t, on=ON
        )
    with pytest.raises(NotFound):
        succession.agency_succession_preview(
            actor=getattr(world, who), agency=world.a, successor=merger.t, on=ON
        )
    assert _state() == before


# --- the pages ------------------------------------------------------------------------------------


PAGES = ["accounts:agency-list", "accounts:agency-create", "accounts:agency-succession"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["officer_a", "leader_a", "secretariat", "oversight"])
def test_the_agency_pages_do_not_exist_for_non_administrators(client, world, merger, name, who):
    force_login(client, getattr(world, who))
    assert client.get(reverse(name)).status_code == 404
    before = _state()
    data = {"agency": world.a.pk, "successor": merger.t.pk, "on": "01/07/2025", "confirm": "1"}
    assert client.post(reverse(name), data).status_code == 404
    assert _state() == before


def test_the_succession_page_previews_the_counts_then_moves_on_confirmation(client, world, merger):
    force_login(client, world.admin)
    url = reverse("accounts:agency-succession")
    assert client.get(url).status_code == 200
    data = {"agency": world.a.pk, "successor": merger.t.pk, "on": "01/07/2025", "note": "QĐ 123"}
    before = _state()
    preview = client.post(url, data)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Xác nhận hợp nhất" in html
    assert "<dt>Hồ sơ đang xử lý</dt>\n    <dd>3 " in html
    assert "<dt>Người dùng</dt><dd>5</dd>" in html
    assert "<dt>Quy chế có thêm bên kế thừa</dt>\n    <dd>2 " in html
    assert 'type="hidden" name="on" value="01/07/2025"' in html
    assert _state() == before  # nothing moved yet

    done = client.post(url, {**data, "confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:agency-list")
    merger.led.refresh_from_db()
    assert merger.led.lead_agency == merger.t
    assert Agency.objects.get(pk=world.a.pk).successor == merger.t
    listing = client.get(done["Location"]).content.decode()
    assert "Đã ghi nhận Công an tỉnh Hà Giang hợp nhất vào Công an tỉnh Tuyên Quang" in listing


def test_the_succession_page_shows_a_refusal_on_its_field(client, world, merger):
    force_login(client, world.admin)
    future = (dt.date.today() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    data = {"agency": world.a.pk, "successor": world.f.pk, "on": future}
    before = _state()
    html = client.post(reverse("accounts:agency-succession"), data).content.decode()
    assert "Có lỗi cần sửa" in html
    assert "cơ quan nước ngoài vào cơ quan nước ngoài" in html
    assert "chưa đến" in html
    assert _state() == before


def test_an_administrator_adds_an_agency_from_the_page(client, world):
    force_login(client, world.admin)
    data = {
        "code": "ca-tuyenquang",
        "name": "Công an tỉnh Tuyên Quang",
        "short_name": "Công an tỉnh",
        "kind": AgencyKind.DOMESTIC,
        "country": "VN",
        "document_prefix": "CAT",
        "head_title": "Giám đốc Công an tỉnh",
    }
    response = client.post(reverse("accounts:agency-create"), data)
    assert response.status_code == 302
    agency = Agency.objects.get(code="ca-tuyenquang")
    assert (agency.name, agency.head_title) == ("Công an tỉnh Tuyên Quang", "Giám đốc Công an tỉnh")
    assert AuditEvent.objects.filter(
        action="account.agency_create", object_id=str(agency.pk)
    ).exists()
    again = client.post(reverse("accounts:agency-create"), data).content.decode()
    assert "đã có cơ quan dùng" in again
    assert (
        "Công an tỉnh Tuyên Quang" in client.get(reverse("accounts:agency-list")).content.decode()
    )


# --- the command -------------------------------------------------------------------------------


def test_the_command_creates_an_agency_and_records_a_succession(world, merger):
    out = io.StringIO()
    call_command(
        "agency",
        "create",
        "--code",
        "sngv-tuyenquang",
        "--name",
        "Sở Ngoại vụ tỉnh Tuyên Quang",
        "--short-name",
        "Sở Ngoại vụ",
        "--prefix",
        "SNgV",
        "--head-title",
        "Giám đốc Sở Ngoại vụ",
        stdout=out,
    )
    successor = Agency.objects.get(code="sngv-tuyenquang")
    assert successor.document_prefix == "SNgV" and successor.kind == AgencyKind.DOMESTIC

    before = _state()
    dry = io.StringIO()
    args = ["--agency", "sngv", "--successor", "sngv-tuyenquang", "--on", "2025-07-01", "--json"]
    call_command("agency", "succeed", *args, "--dry-run", stdout=dry)
    assert _state() == before
    planned = json.loads(dry.getvalue())
    assert planned["dry_run"] is True

    out = io.StringIO()
    call_command("agency", "succeed", *args, stdout=out)
    result = json.loads(out.getvalue())
    assert {k: v for k, v in result.items() if k != "dry_run"} == {
        k: v for k, v in planned.items() if k != "dry_run"
    }
    assert result["dossiers"] == 3 and result["users"] == 1
    assert Agency.objects.get(code="sngv").successor == successor
    assert AuditEvent.objects.filter(action="account.agency_succeed", actor_label="system").exists()
    listing = io.StringIO()
    call_command("agency", "list", "--json", stdout=listing)
    rows = {row["code"]: row for row in json.loads(listing.getvalue())}
    assert (rows["sngv"]["successor"], rows["sngv"]["succeeded_on"]) == (
        "sngv-tuyenquang",
        "2025-07-01",
    )
    assert rows["sngv-tuyenquang"]["successor"] is None


def test_the_command_refuses_with_a_clear_message(world, merger):
    with pytest.raises(CommandError, match="on: Ngày hợp nhất"):
        call_command(
            "agency",
            "succeed",
            "--agency",
            "cat",
            "--successor",
            "ca-tuyenquang",
            "--on",
            "2999-01-01",
        )
    with pytest.raises(CommandError, match="không có cơ quan mã khong-co"):
        call_command(
            "agency", "succeed", "--agency", "khong-co", "--successor", "cat", "--on", "2025-07-01"
        )
    with pytest.raises(CommandError, match="ngày không hợp lệ"):
        call_command(
            "agency", "succeed", "--agency", "cat", "--successor", "ca-tuyenquang", "--on", "mai"
        )
    with pytest.raises(CommandError, match="code: "):
        call_command("agency", "create", "--code", "cat", "--name", "Trùng", "--short-name", "T")
    assert Agency.objects.get(code="cat").successor is None
