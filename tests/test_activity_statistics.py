"""Foreign-affairs activities in the review statistics, the statistics page, the frozen
reviews and the report; and the demo's activities of 2008–2011.

Period: 01/01/2010–31/12/2010. In the `world` fixture A is the Police and B the
Department of Foreign Affairs, which registers every activity (A supporting).
An activity counts when it ENDED in the period and was not cancelled:

  in1  incoming, 10–12/03/2010, Police's opinion sent       → secured
  in2  incoming, 30/12/2009–01/01/2010 (ends on day one), closed → secured
  in3  incoming, 20–21/04/2010, notified, no opinion yet     → not secured
  in4  incoming, 31/12/2010–01/01/2011 (ends the day after), closed → no
  in5  incoming, 28–31/12/2009 (ends the day before), closed → no
  in6  incoming, 05/05/2010, Tối mật, closed                 → secured (B's officer: no)
  out1 outgoing, 01–04/06/2010, only registered              → counts
  out2 outgoing, 01–03/07/2010, cancelled                    → no
  ev1  event, 31/12/2010 (the last day)                      → counts
  ngo1 NGO, 02–03/08/2010                                    → counts
  pr1  press, 10/09/2010, cancelled                          → no
  bv1  border visit, 11/10/2010, registered without the Police → counts (A's officer: no)

Incidents: X linked to in1 and ev1 (counted once), W linked to in2, Y to in4 (outside),
Z to out2 (cancelled), S (a dossier of A alone, not seen by B) linked to ngo1.
  → incoming secured 3, outgoing 1, events 3, incidents 3 (X, W, S).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from docx import Document

from phoihop.activities import services as svc
from phoihop.activities.choices import ActivityKind, Opinion, VettingResult
from phoihop.activities.models import Activity, ActivityMember
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.demo import hagiang
from phoihop.dossiers.choices import DossierStatus
from phoihop.regulations.choices import CategoryKind, ResponsibilityRole
from phoihop.regulations.models import Regulation
from phoihop.reviews import report
from phoihop.reviews import services as review_services
from phoihop.reviews.models import Review
from phoihop.reviews.statistics import compute_statistics
from phoihop.subjects.models import Verification
from tests.factories import CategoryFactory, clause_with_responsibilities, open_dossier
from tests.web_fixtures import login

D = dt.date
FROM, TO = D(2010, 1, 1), D(2010, 12, 31)
KEYS = (
    "activities_incoming_secured",
    "activities_outgoing",
    "activities_events",
    "activity_incidents",
)
ACTIVITY_PARAGRAPH = "Về hoạt động đối ngoại"


def figures(stats) -> tuple[int, ...]:
    return tuple(stats[k] for k in KEYS)


def by_kind(stats) -> dict[str, int]:
    return {row["kind"]: row["count"] for row in stats["activities_by_kind"]}


def stats_for(actor, date_from=FROM, date_to=TO, regulation=None):
    return compute_statistics(
        actor=actor, date_from=date_from, date_to=date_to, regulation=regulation
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def docx_body(content: bytes) -> str:
    return flat("\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs))


# --- the hand-counted activities --------------------------------------------------------------


@pytest.fixture
def acts(world):
    w = world
    clause = clause_with_responsibilities(
        w.article,
        3,
        [
            {"agency": w.b, "role": ResponsibilityRole.LEAD, "response_days": 5},
            {"agency": w.a, "role": ResponsibilityRole.SUPPORT, "response_days": 3},
        ],
    )
    CategoryFactory(
        regulation=w.regulation,
        clause=clause,
        code="doan-vao",
        name="Bảo đảm an ninh đoàn nước ngoài",
        kind=CategoryKind.DELEGATION_SECURITY,
    )

    def register(kind, start, end, *, police=True, **kw):
        return svc.activity_register(
            actor=SYSTEM,
            kind=kind,
            title=f"Hoạt động {kind} từ {start:%d/%m/%Y}",
            purpose="Trao đổi hợp tác, quản lý biên giới.",
            starts_on=start,
            ends_on=end,
            lead_agency=w.b,
            supporting_agencies=[w.a] if police else [],
            registered_on=start - dt.timedelta(days=20),
            **kw,
        )

    def notify(activity):
        return svc.activity_notify(
            actor=SYSTEM,
            activity=activity,
            notified_on=activity.starts_on - dt.timedelta(days=18),
        )

    def answer(activity):
        return svc.opinion_send(
            actor=SYSTEM,
            activity=notify(activity),
            opinion=Opinion.AGREE,
            number_symbol="12/CAT-ANĐN",
            sent_on=activity.starts_on - dt.timedelta(days=10),
        )

    def close(activity):
        return svc.activity_close(
            actor=SYSTEM,
            activity=activity,
            report="Hoàn thành chương trình.",
            closed_on=activity.ends_on,
        )

    def cancel(activity):
        return svc.activity_cancel(
            actor=SYSTEM,
            activity=activity,
            reason="Phía bạn đề nghị hoãn.",
            cancelled_on=activity.starts_on - dt.timedelta(days=5),
        )

    def incident(title, lead=None, supporting=None):
        return open_dossier(
            w.border,
            lead or w.a,
            supporting=[w.b] if supporting is None else supporting,
            counterpart=w.f,
            opened_on=D(2010, 3, 11),
            title=title,
        )

    inc = ActivityKind.INCOMING
    a = SimpleNamespace()
    a.in1 = answer(register(inc, D(2010, 3, 10), D(2010, 3, 12)))
    a.in2 = register(inc, D(2009, 12, 30), D(2010, 1, 1))
    a.in3 = notify(register(inc, D(2010, 4, 20), D(2010, 4, 21)))
    a.in4 = register(inc, D(2010, 12, 31), D(2011, 1, 1))
    a.in5 = register(inc, D(2009, 12, 28), D(2009, 12, 31))
    a.in6 = register(inc, D(2010, 5, 5), D(2010, 5, 5), classification=Classification.TOI_MAT)
    a.out1 = answer(register(ActivityKind.OUTGOING, D(2010, 6, 1), D(2010, 6, 4)))
    a.out2 = register(ActivityKind.OUTGOING, D(2010, 7, 1), D(2010, 7, 3))
    a.ev1 = answer(register(ActivityKind.EVENT, D(2010, 12, 31), D(2010, 12, 31)))
    a.ngo1 = answer(register(ActivityKind.NGO, D(2010, 8, 2), D(2010, 8, 3)))
    a.pr1 = register(ActivityKind.PRESS, D(2010, 9, 10), D(2010, 9, 10))
    # Never notified to the Police: not secured, counted nowhere.
    a.bv1 = register(ActivityKind.BORDER_VISIT, D(2010, 10, 11), D(2010, 10, 11), police=False)

    a.x = incident("Vụ việc X tại cửa khẩu Thanh Thủy")
    a.w = incident("Vụ việc W tại xã Thanh Đức")
    a.y = incident("Vụ việc Y tại xã Lũng Cú")
    a.z = incident("Vụ việc Z tại xã Xín Cái")
    a.s = incident("Vụ việc S chỉ Công an tỉnh xử lý", supporting=[])
    for activity, dossier in (
        (a.in1, a.x),
        (a.ev1, a.x),
        (a.in2, a.w),
        (a.in4, a.y),
        (a.out2, a.z),
        (a.ngo1, a.s),
    ):
        svc.incident_link(actor=SYSTEM, activity=activity, dossier=dossier)

    for activity in (a.in2, a.in4, a.in5, a.in6):
        close(answer(activity))
    cancel(a.out2)
    cancel(a.pr1)
    return a


def test_activities_that_ended_in_the_period_count_cancelled_ones_do_not(world, acts):
    stats = stats_for(SYSTEM)
    assert figures(stats) == (3, 1, 2, 3)
    assert by_kind(stats) == {
        "incoming": 3,
        "outgoing": 1,
        "event": 1,
        "ngo": 1,
        "press": 0,
        "border_visit": 0,
    }
    assert [row["label"] for row in stats["activities_by_kind"]][:2] == [
        "Đoàn nước ngoài vào tỉnh",
        "Đoàn của tỉnh đi nước ngoài",
    ]
    # The breakdown adds up to the three activity figures.
    assert sum(by_kind(stats).values()) == sum(figures(stats)[:3])
    json.dumps(stats)  # frozen as it stands into a review


def test_the_period_is_inclusive_at_both_ends_and_only_the_end_date_counts(world, acts):
    # in2 ends on the first day, ev1 on the last; in4 and in5 just outside.
    first_day = stats_for(SYSTEM, date_to=FROM)
    assert figures(first_day) == (1, 0, 0, 1)  # in2 and its incident W
    last_day = stats_for(SYSTEM, date_from=TO)
    assert figures(last_day) == (0, 0, 1, 1)  # ev1 and its incident X
    assert figures(stats_for(SYSTEM, date_from=D(2011, 1, 1), date_to=D(2011, 1, 1))) == (
        1,
        0,
        0,
        1,
    )
    assert figures(stats_for(SYSTEM, date_from=D(2009, 12, 31), date_to=D(2009, 12, 31))) == (
        1,
        0,
        0,
        0,
    )


def test_an_incoming_delegation_counts_once_the_police_answered(world, acts):
    assert figures(stats_for(SYSTEM, date_from=D(2010, 4, 1), date_to=D(2010, 4, 30))) == (
        0,
        0,
        0,
        0,
    )
    svc.opinion_send(
        actor=SYSTEM,
        activity=acts.in3,
        opinion=Opinion.CONDITIONS,
        conditions="Bố trí cán bộ đi cùng đoàn.",
        number_symbol="15/CAT-ANĐN",
        sent_on=D(2010, 4, 10),
    )
    assert figures(stats_for(SYSTEM, date_from=D(2010, 4, 1), date_to=D(2010, 4, 30))) == (
        1,
        0,
        0,
        0,
    )


def test_the_figures_follow_the_actors_view_of_the_dossiers(world, acts):
    # Leaders, oversight and the secretariat count every activity of the regulation.
    assert figures(stats_for(world.oversight)) == (3, 1, 2, 3)
    assert figures(stats_for(world.secretariat, regulation=world.regulation)) == (3, 1, 2, 3)
    # B's officer (Mật): not the Tối mật in6, nor S, a dossier of A alone.
    officer_b = stats_for(world.officer_b)
    assert figures(officer_b) == (2, 1, 2, 2)
    assert by_kind(officer_b)["incoming"] == 2
    # A's officer: not in6 (bv1, never told to the Police, counts for nobody).
    officer_a = stats_for(world.officer_a)
    assert figures(officer_a) == (2, 1, 2, 3)
    assert by_kind(officer_a)["border_visit"] == 0
    # The administrator counts nothing.
    assert figures(stats_for(world.admin)) == (0, 0, 0, 0)
    assert set(by_kind(stats_for(world.admin)).values()) == {0}


def test_the_activities_cost_one_query_whatever_the_actor(
    world, acts, django_assert_max_num_queries
):
    for actor in (SYSTEM, world.oversight, world.officer_a):
        with django_assert_max_num_queries(10):
            stats_for(actor, regulation=world.regulation)


def test_the_stats_command_prints_the_activity_figures_in_json(world, acts):
    out = io.StringIO()
    call_command("stats", "--from", "2010-01-01", "--to", "2010-12-31", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert figures(data) == (3, 1, 2, 3)
    assert by_kind(data)["ngo"] == 1


# --- the statistics page, frozen reviews and the report --------------------------------------


def test_the_statistics_page_lists_the_activities(client, world, acts):
    login(client, world.oversight)
    page = client.get(
        reverse("reviews:statistics"), {"date_from": "01/01/2010", "date_to": "31/12/2010"}
    ).content.decode()
    assert "Hoạt động đối ngoại kết thúc trong kỳ" in page
    shown = dict(re.findall(r'data-figure="([a-z_]+)">(\d+)<', page))
    assert shown == {
        "activities_incoming_secured": "3",
        "activities_outgoing": "1",
        "activities_events": "2",
        "activity_incidents": "3",
    }
    assert "Hoạt động của tổ chức phi chính phủ nước ngoài" in page
    # The three headline figures stay the only cards.
    assert len(re.findall(r'data-key="([a-z_]+)">', page)) == 3


def _review(world):
    return review_services.review_open(
        actor=SYSTEM, regulation=world.regulation, date_from=FROM, date_to=TO
    )


def test_a_new_review_freezes_the_activity_figures_and_shows_them(client, world, acts):
    review = _review(world)
    assert figures(review.statistics) == (3, 1, 2, 3)
    # Later work moves the live figures, not the frozen ones.
    svc.activity_cancel(
        actor=SYSTEM, activity=acts.in1, reason="Hủy chuyến thăm.", cancelled_on=D(2010, 3, 1)
    )
    assert figures(stats_for(SYSTEM, regulation=world.regulation)) == (2, 1, 2, 3)
    review.refresh_from_db()
    assert figures(review.statistics) == (3, 1, 2, 3)
    login(client, world.leader_a)
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'data-figure="activities_events">2<' in page


def test_a_review_frozen_before_the_activities_still_renders_and_reports(client, world, acts):
    review = _review(world)
    old = {k: v for k, v in review.statistics.items() if "activit" not in k}
    Review.objects.filter(pk=review.pk).update(statistics=old)
    review.refresh_from_db()
    login(client, world.leader_a)
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    assert "Hoạt động đối ngoại kết thúc trong kỳ" not in response.content.decode()
    content, _type, _name = report.render(review, "docx", issued_on=D(2011, 1, 10))
    assert ACTIVITY_PARAGRAPH not in docx_body(content)


def test_the_report_has_a_paragraph_on_the_activities_with_the_figures(world, acts):
    review = _review(world)
    content, _type, _name = report.render(review, "docx", issued_on=D(2011, 1, 10))
    body = docx_body(content)
    assert (
        "bảo đảm an ninh cho 3 đoàn nước ngoài vào làm việc tại tỉnh, 1 đoàn của tỉnh đi công "
        "tác nước ngoài và 2 hội nghị, sự kiện, hoạt động quốc tế khác đã kết thúc trong kỳ, "
        "trong đó hội nghị, sự kiện quốc tế: 1; hoạt động của tổ chức phi chính phủ nước "
        "ngoài: 1." in body
    )
    assert "phát sinh 3 vụ việc về an ninh, trật tự" in body
    # Under the delegations' heading of the results, before the timeliness.
    assert body.index("Bảo đảm an ninh đoàn nước ngoài") < body.index(ACTIVITY_PARAGRAPH)
    assert body.index(ACTIVITY_PARAGRAPH) < body.index("Thực hiện thời hạn theo Quy chế")


def test_the_report_says_nothing_of_activities_when_there_were_none(world, acts):
    review = review_services.review_open(
        actor=SYSTEM, regulation=world.regulation, date_from=D(2012, 1, 1), date_to=D(2012, 12, 31)
    )
    assert figures(review.statistics) == (0, 0, 0, 0)
    content, _type, _name = report.render(review, "docx", issued_on=D(2013, 1, 10))
    assert ACTIVITY_PARAGRAPH not in docx_body(content)


def test_without_incidents_the_report_says_none_arose(world, acts):
    review = review_services.review_open(
        actor=SYSTEM, regulation=world.regulation, date_from=D(2010, 6, 1), date_to=D(2010, 6, 30)
    )
    assert figures(review.statistics) == (0, 1, 0, 0)
    body = docx_body(report.render(review, "docx", issued_on=D(2010, 7, 5))[0])
    assert "1 đoàn của tỉnh đi công tác nước ngoài" in body
    assert "không phát sinh vụ việc nào" in body


# --- the demo ----------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), transaction.atomic():
        hagiang.load(pki_dir=tmp_path_factory.mktemp("demo-pki"))
        regulation = Regulation.objects.get(code="QCPH-2008")
        review = Review.objects.get(regulation=regulation)
        yield SimpleNamespace(
            regulation=regulation,
            review=review,
            docx=report.render(review, "docx", issued_on=D(2011, 12, 5))[0],
        )
        transaction.set_rollback(True)


DEMO_FROM, DEMO_TO = D(2008, 12, 2), D(2011, 12, 2)


class TestTheDemoActivities:
    """The activities of the Hà Giang demo (loaded once for the class, rolled back after)."""

    def test_the_review_still_finds_21_76_166_and_counts_the_activities(self, demo, db):
        stats = compute_statistics(
            actor=SYSTEM, date_from=DEMO_FROM, date_to=DEMO_TO, regulation=demo.regulation
        )
        assert (
            stats["joint_criminal_cases_cleared"],
            stats["border_incidents_resolved"],
            stats["subjects_verified"],
        ) == (21, 76, 166)
        assert figures(stats) == (4, 3, 4, 1)
        assert by_kind(stats) == {
            "incoming": 4,
            "outgoing": 3,
            "event": 1,
            "ngo": 1,
            "press": 1,
            "border_visit": 1,
        }
        # The frozen review of 02/12/2011 holds the same.
        assert figures(demo.review.statistics) == (4, 3, 4, 1)

    def test_the_demo_has_every_kind_across_2008_to_2011_and_work_in_progress(self, demo, db):
        past = Activity.objects.filter(starts_on__year__lte=2011)
        assert {a.starts_on.year for a in past} == {2008, 2009, 2010, 2011}
        assert set(past.values_list("kind", flat=True)) == set(ActivityKind.values)
        assert past.filter(status="cancelled").count() == 1
        assert not past.exclude(status__in=("closed", "cancelled")).exists()
        assert all(a.report for a in past.filter(status="closed"))
        current = Activity.objects.filter(starts_on__year__gt=2011)
        assert set(current.values_list("status", flat=True)) == {"registered", "vetting"}
        outgoing = past.filter(kind=ActivityKind.OUTGOING)
        assert outgoing.count() == 3
        assert all(a.briefing_on and a.briefing_on <= a.starts_on for a in outgoing)
        gates = set(past.values_list("itinerary__border_gate", flat=True))
        assert "Cửa khẩu quốc tế Thanh Thủy" in gates

    def test_most_members_are_cleared_two_need_attention_with_their_reasons(self, demo, db):
        members = ActivityMember.objects.filter(activity__starts_on__year__lte=2011)
        attention = members.filter(vetting=VettingResult.ATTENTION)
        assert attention.count() == 2
        assert members.filter(vetting=VettingResult.CLEARED).count() > 30
        assert not members.filter(vetting=VettingResult.PENDING).exists()
        kinds = {r["kind"] for m in attention for r in m.vetting_reasons}
        assert kinds == {"border", "verification"}
        pending = next(m for m in attention if m.vetting_reasons[0]["kind"] == "verification")
        assert Verification.objects.get(pk=pending.vetting_reasons[0]["verification"]).state == (
            "sent"
        )
        # Chinese members are in Hán tự with a passport.
        chinese = members.filter(subject__nationality="CN").select_related("subject", "document")
        assert all(m.subject.native_name and m.document for m in chinese)

    def test_the_opinions_mostly_agree_one_with_conditions_one_late(self, demo, db):
        past = Activity.objects.filter(starts_on__year__lte=2011)
        opinions = list(past.values_list("opinion", flat=True))
        assert opinions.count(Opinion.CONDITIONS) == 1
        assert opinions.count(Opinion.AGREE) == len(opinions) - 1
        late = past.filter(opinion_late=True)
        assert late.count() == 1
        assert late.get().opinion_on == late.get().starts_on
        conditioned = past.get(opinion=Opinion.CONDITIONS)
        assert conditioned.members.filter(vetting=VettingResult.ATTENTION).exists()
        assert all(a.measures.exists() for a in past)

    def test_the_incident_during_the_fair_is_a_border_dossier_resolved_after_the_period(
        self, demo, db
    ):
        fair = Activity.objects.get(kind=ActivityKind.EVENT)
        incident = fair.incidents.get()
        assert incident.category.kind == CategoryKind.BORDER_INCIDENT
        assert incident.status == DossierStatus.RESOLVED
        assert fair.starts_on <= incident.opened_on <= fair.ends_on
        assert incident.resolved_on > DEMO_TO

    def test_the_demo_report_has_the_activities_paragraph(self, demo):
        body = docx_body(demo.docx)
        assert (
            "bảo đảm an ninh cho 4 đoàn nước ngoài vào làm việc tại tỉnh, 3 đoàn của tỉnh đi "
            "công tác nước ngoài và 4 hội nghị, sự kiện, hoạt động quốc tế khác" in body
        )
        assert "phát sinh 1 vụ việc về an ninh, trật tự" in body


def test_a_delegation_the_police_did_not_agree_to_is_not_counted_as_secured(world, acts):
    april = {"date_from": D(2010, 4, 1), "date_to": D(2010, 4, 30)}
    svc.opinion_send(
        actor=SYSTEM,
        activity=acts.in3,
        opinion=Opinion.DISAGREE,
        number_symbol="16/CAT-ANĐN",
        sent_on=D(2010, 4, 10),
    )
    assert figures(stats_for(SYSTEM, **april)) == (0, 0, 0, 0)
