"""Review statistics over a small, hand-counted set of dossiers and verifications.

Period: 01/01/2010–31/12/2010, inclusive at both ends.

Joint criminal cases (category kind joint_criminal), all with counterpart F unless noted:
  j1 resolved 15/06/2010, mua-ban-nguoi, B supports        → counts
  j2 resolved 01/01/2010 (first day), mua-ban-nguoi, B     → counts
  j3 resolved 31/12/2010 (last day), mua-ban-nguoi         → counts
  j4 resolved 31/12/2009 (day before)                      → no
  j5 resolved 01/01/2011 (day after)                       → no
  j6 still in progress                                     → no
  j7 closed without result 05/05/2010                      → no
  j8 resolved 07/07/2010 but no foreign counterpart        → no
  j9 resolved 08/08/2010, giet-nguoi, Tối mật              → counts
  → 4 cleared: mua-ban-nguoi 3, giet-nguoi 1.
Border incidents: b1 resolved 03/03/2010 (B), b2 resolved 31/12/2010 → count;
  b3 resolved 01/01/2011 and b4 closed without result 04/04/2010 → no.  → 2 resolved.
Other category: v1 verification dossier resolved 09/09/2010 → neither figure.
Persons verified (clarified answers dated in the period, each person once):
  s1 clarified 02/02 and again 10/10 → once; s2 clarified 31/12 (in a dossier B does not
  see) ; s7 unresolved 03/03 then clarified 04/04 → counts; s3 only unresolved, s4 pending,
  s5 clarified 01/01/2011, s6 clarified 31/12/2009 → no.  → 3 persons.
Resolved dossiers by the quarter / month of their end date (j7 and b4 ended without result):
  Q1: j2 01/01, b1 03/03; Q2: j1 15/06; Q3: j8 07/07, j9 08/08, v1 09/09; Q4: j3, b2 31/12.

Timeliness has its own fixture, `deadlines` (see there).
"""

import datetime as dt
import io
import json

import pytest

from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.services import dossier_transition, task_add, task_complete
from phoihop.regulations.choices import CategoryKind, ResponsibilityRole
from phoihop.reviews import statistics
from phoihop.reviews.statistics import compute_statistics
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import SubjectRole, VerificationOutcome
from tests.factories import (
    CategoryFactory,
    CrimeTypeFactory,
    clause_with_responsibilities,
    end_dossier,
    open_dossier,
    regulation_tree,
)

D = dt.date
FROM, TO = D(2010, 1, 1), D(2010, 12, 31)
OPENED = D(2009, 12, 1)
RESOLVED, NO_RESULT = DossierStatus.RESOLVED, DossierStatus.CLOSED_NO_RESULT
CLARIFIED, UNRESOLVED = VerificationOutcome.IDENTITY_CONFIRMED, VerificationOutcome.NO_RECORD


def headline(stats):
    return (
        stats["joint_criminal_cases_cleared"],
        stats["border_incidents_resolved"],
        stats["subjects_verified"],
    )


def crimes(stats):
    return [(row["crime_type"], row["count"]) for row in stats["by_crime_type"]]


def stats_for(actor, date_from=FROM, date_to=TO, regulation=None):
    return compute_statistics(
        actor=actor, date_from=date_from, date_to=date_to, regulation=regulation
    )


@pytest.fixture
def data(world):
    w = world
    murder = CrimeTypeFactory(
        code="giet-nguoi", name="Giết người", penal_code_article="Điều 93 BLHS 1999"
    )

    def case(category, status=None, end=None, *, b=False, counterpart=w.f, **kw):
        dossier = open_dossier(
            category,
            w.a,
            supporting=[w.b] if b else [],
            counterpart=counterpart,
            opened_on=OPENED,
            **kw,
        )
        if status == DossierStatus.IN_PROGRESS:
            return dossier_transition(actor=SYSTEM, dossier=dossier, status=status, on=OPENED)
        if status is not None:
            return end_dossier(dossier, status, on=end)
        return dossier

    joint = {"crime_type": w.crime}
    case(w.joint, RESOLVED, D(2010, 6, 15), b=True, **joint)  # j1
    case(w.joint, RESOLVED, FROM, b=True, **joint)  # j2
    case(w.joint, RESOLVED, TO, **joint)  # j3
    case(w.joint, RESOLVED, D(2009, 12, 31), b=True, **joint)  # j4
    case(w.joint, RESOLVED, D(2011, 1, 1), b=True, **joint)  # j5
    case(w.joint, DossierStatus.IN_PROGRESS, b=True, **joint)  # j6
    case(w.joint, NO_RESULT, D(2010, 5, 5), b=True, **joint)  # j7
    case(w.joint, RESOLVED, D(2010, 7, 7), b=True, counterpart=None, **joint)  # j8
    case(
        w.joint, RESOLVED, D(2010, 8, 8), crime_type=murder, classification=Classification.TOI_MAT
    )  # j9
    case(w.border, RESOLVED, D(2010, 3, 3), b=True)  # b1
    case(w.border, RESOLVED, TO)  # b2
    case(w.border, RESOLVED, D(2011, 1, 1), b=True)  # b3
    case(w.border, NO_RESULT, D(2010, 4, 4), b=True)  # b4
    case(w.verification, RESOLVED, D(2010, 9, 9), b=True)  # v1

    shared = open_dossier(w.verification, w.a, supporting=[w.b], counterpart=w.f, opened_on=OPENED)
    a_only = open_dossier(w.verification, w.a, counterpart=w.f, opened_on=OPENED)

    def person(name, dossier, answers):
        subject = subject_services.subject_create(actor=SYSTEM, owner_agency=w.a, full_name=name)
        subject_services.subject_link(
            actor=SYSTEM, dossier=dossier, subject=subject, role=SubjectRole.UNDER_VERIFICATION
        )
        for outcome, on in answers:
            verification = subject_services.verification_request(
                actor=SYSTEM,
                dossier=dossier,
                subject=subject,
                requested_by=w.a,
                requested_of=w.f,
                question="Xác minh nhân thân",
                requested_on=D(2009, 12, 15),
            )
            if outcome is not None:
                subject_services.verification_answer(
                    actor=SYSTEM,
                    verification=verification,
                    outcome=outcome,
                    answer="Trả lời",
                    answered_on=on,
                )

    person("Vương Tiểu Minh", shared, [(CLARIFIED, D(2010, 2, 2)), (CLARIFIED, D(2010, 10, 10))])
    person("Lý Thị Mai", a_only, [(CLARIFIED, TO)])
    person("Hoàng Văn Páo", shared, [(UNRESOLVED, D(2010, 5, 5))])
    person("Giàng Seo Sử", shared, [(None, None)])
    person("Lục Văn Tài", shared, [(CLARIFIED, D(2011, 1, 1))])
    person("Sùng Mí Chứ", shared, [(CLARIFIED, D(2009, 12, 31))])
    person("Vàng Thị Mỷ", shared, [(UNRESOLVED, D(2010, 3, 3)), (CLARIFIED, D(2010, 4, 4))])
    return world


def test_headline_figures_are_the_hand_counted_ones(data):
    stats = stats_for(SYSTEM)
    assert headline(stats) == (4, 2, 3)
    assert crimes(stats) == [("mua-ban-nguoi", 3), ("giet-nguoi", 1)]
    assert stats["period"] == {"from": "2010-01-01", "to": "2010-12-31"}
    assert stats["regulation"] is None


def test_secondary_figures(data):
    stats = stats_for(SYSTEM)
    # j1 j2 j3 j8 j9, b1 b2, v1
    assert stats["dossiers_resolved"] == 8
    assert stats["dossiers_closed_no_result"] == 2  # j7, b4
    assert stats["dossiers_opened"] == 0  # everything opened on 01/12/2009
    # Open at 31/12/2010: j5, b3 (ended later), j6, the two verification dossiers.
    assert stats["dossiers_open_at_end"] == 5
    # s1 twice, s2, s3, s7 twice; of which clarified: s1 twice, s2, s7.
    assert stats["verifications_answered"] == 6
    assert stats["verifications_clarified"] == 4
    assert stats["subjects_verified_by_agency"] == [
        {"agency": "ca-vanson", "name": "Cục Công an châu Văn Sơn", "count": 3}
    ]
    outcomes = {row["status"]: row["count"] for row in stats["by_outcome"]}
    assert outcomes == {RESOLVED: 8, NO_RESULT: 2}
    by_year = {(row["year"], row["kind"]): row["count"] for row in stats["by_year"]}
    assert by_year == {
        (2010, CategoryKind.JOINT_CRIMINAL): 5,
        (2010, CategoryKind.BORDER_INCIDENT): 2,
        (2010, CategoryKind.VERIFICATION): 1,
    }
    assert stats["by_counterpart"] == [
        {"counterpart": "ca-vanson", "name": "Cục Công an châu Văn Sơn", "count": 7}
    ]


def test_crime_type_rows_name_the_penal_code_article(data):
    rows = stats_for(SYSTEM)["by_crime_type"]
    assert rows[0] == {
        "crime_type": "mua-ban-nguoi",
        "name": "Mua bán người",
        "penal_code_article": "Điều 119 BLHS 1999",
        "count": 3,
    }
    assert rows[1]["penal_code_article"] == "Điều 93 BLHS 1999"


def test_the_period_is_inclusive_at_both_ends(data):
    assert headline(stats_for(SYSTEM, date_from=D(2010, 1, 2))) == (3, 2, 3)  # j2 drops
    assert headline(stats_for(SYSTEM, date_to=D(2010, 12, 30))) == (3, 1, 2)  # j3, b2, s2
    assert headline(stats_for(SYSTEM, date_from=D(2009, 12, 31))) == (5, 2, 4)  # j4, s6
    assert headline(stats_for(SYSTEM, date_to=D(2011, 1, 1))) == (5, 3, 4)  # j5, b3, s5


def test_a_one_day_period(data):
    stats = stats_for(SYSTEM, date_from=TO, date_to=TO)
    assert headline(stats) == (1, 1, 1)


def test_date_to_before_date_from_is_refused(data):
    with pytest.raises(ValueError):
        stats_for(SYSTEM, date_from=TO, date_to=FROM)


def test_regulation_filter_excludes_another_regulations_dossiers(data):
    w = data
    other, article = regulation_tree(parties=[w.a, w.b], code="QC-KHAC")
    clause = clause_with_responsibilities(
        article, 1, [{"agency": w.a, "role": ResponsibilityRole.LEAD, "response_days": 3}]
    )
    other_joint = CategoryFactory(
        regulation=other, clause=clause, code="an-hinh-su", kind=CategoryKind.JOINT_CRIMINAL
    )
    end_dossier(
        open_dossier(other_joint, w.a, counterpart=w.f, opened_on=OPENED, crime_type=w.crime),
        on=D(2010, 6, 1),
    )
    assert headline(stats_for(SYSTEM)) == (5, 2, 3)
    ours = stats_for(SYSTEM, regulation=w.regulation)
    assert headline(ours) == (4, 2, 3)
    assert ours["regulation"] == "QC-THU"
    assert headline(stats_for(SYSTEM, regulation=other)) == (1, 0, 0)


def test_oversight_aggregates_over_everything_without_seeing_dossiers(data):
    assert headline(stats_for(data.oversight)) == (4, 2, 3)
    assert headline(stats_for(data.leader_a)) == (4, 2, 3)
    assert headline(stats_for(data.secretariat)) == (4, 2, 3)


def test_an_officer_aggregates_only_what_they_can_see(data):
    # Officer of A (Mật): everything of A but the Tối mật j9.
    stats_a = stats_for(data.officer_a)
    assert headline(stats_a) == (3, 2, 3)
    assert crimes(stats_a) == [("mua-ban-nguoi", 3)]
    # Officer of B: only dossiers B supports (j1, j2; b1; the shared verification dossier).
    stats_b = stats_for(data.officer_b)
    assert headline(stats_b) == (2, 1, 2)
    assert crimes(stats_b) == [("mua-ban-nguoi", 2)]
    assert stats_b["dossiers_resolved"] == 5  # j1 j2 j8 b1 v1
    assert stats_b["dossiers_closed_no_result"] == 2  # j7 b4


def test_administrator_aggregates_nothing(data):
    stats = stats_for(data.admin)
    assert headline(stats) == (0, 0, 0)
    assert stats["by_crime_type"] == []


def test_statistics_use_a_bounded_number_of_queries(data, django_assert_max_num_queries):
    for actor in (SYSTEM, data.oversight, data.officer_a):
        with django_assert_max_num_queries(10):  # 9, plus one for the activities (issue 9)
            stats_for(actor, regulation=data.regulation)


def test_the_stats_command_counts_as_the_system_or_as_a_named_user(data):
    import json

    from django.core.management import call_command

    def run(*extra):
        out = io.StringIO()
        call_command(
            "stats", "--from", "2010-01-01", "--to", "2010-12-31", "--json", *extra, stdout=out
        )
        return json.loads(out.getvalue())

    as_system = run()
    as_b = run("--as", data.officer_b.username)
    assert headline(as_system) == (4, 2, 3)
    assert headline(as_b) == headline(stats_for(data.officer_b))
    assert headline(as_b) != headline(as_system)  # B is no party to the A-only dossiers


def test_the_stats_command_refuses_an_unknown_user(data):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("stats", "--from", "2010-01-01", "--to", "2010-12-31", "--as", "nobody")


# --- Resolved dossiers by quarter and by month ------------------------------------------------


def quarters(stats):
    return [(row["year"], row["quarter"], row["count"]) for row in stats["by_quarter"]]


def months(stats):
    return [(row["year"], row["month"], row["count"]) for row in stats["by_month"]]


def test_resolved_dossiers_by_quarter_and_month(data):
    stats = stats_for(SYSTEM)
    assert quarters(stats) == [(2010, 1, 2), (2010, 2, 1), (2010, 3, 3), (2010, 4, 2)]
    assert months(stats) == [
        (2010, 1, 1),  # j2
        (2010, 3, 1),  # b1
        (2010, 6, 1),  # j1
        (2010, 7, 1),  # j8
        (2010, 8, 1),  # j9
        (2010, 9, 1),  # v1
        (2010, 12, 2),  # j3, b2
    ]
    assert stats["by_quarter"][0] == {"year": 2010, "quarter": 1, "count": 2}
    assert stats["by_month"][0] == {"year": 2010, "month": 1, "count": 1}
    # Both series add up to the resolved dossiers; closed-without-result ones are not in them.
    assert sum(row["count"] for row in stats["by_quarter"]) == stats["dossiers_resolved"]
    assert sum(row["count"] for row in stats["by_month"]) == stats["dossiers_resolved"]


def test_quarters_and_months_run_chronologically_across_years(data):
    # One day either side of 2010: j4 (31/12/2009), then j5 and b3 (01/01/2011).
    stats = stats_for(SYSTEM, date_from=D(2009, 12, 31), date_to=D(2011, 1, 1))
    assert quarters(stats) == [
        (2009, 4, 1),
        (2010, 1, 2),
        (2010, 2, 1),
        (2010, 3, 3),
        (2010, 4, 2),
        (2011, 1, 2),
    ]
    assert months(stats)[0] == (2009, 12, 1)
    assert months(stats)[-2:] == [(2010, 12, 2), (2011, 1, 2)]
    # The period's edges: the last day alone holds j3 and b2.
    assert quarters(stats_for(SYSTEM, date_from=TO, date_to=TO)) == [(2010, 4, 2)]
    assert months(stats_for(SYSTEM, date_from=D(2010, 1, 2), date_to=D(2010, 12, 30))) == [
        (2010, 3, 1),
        (2010, 6, 1),
        (2010, 7, 1),
        (2010, 8, 1),
        (2010, 9, 1),
    ]


def test_quarters_and_months_follow_the_actor_and_the_regulation(data):
    # Officer of B: j1 (06), j2 (01), j8 (07), b1 (03), v1 (09).
    assert quarters(stats_for(data.officer_b)) == [(2010, 1, 2), (2010, 2, 1), (2010, 3, 2)]
    assert stats_for(data.admin)["by_month"] == []
    other, _article = regulation_tree(parties=[data.a], code="QC-KHAC")
    assert stats_for(SYSTEM, regulation=other)["by_quarter"] == []


# --- Timeliness of tasks and verification requests --------------------------------------------


@pytest.fixture
def deadlines(world):
    """Tasks and verification requests with deadlines around 2010, counted by hand.

    All dossiers are joint criminal cases under clause 1 (A leads within 10 working days,
    B supports within 5), so opening one gives A a task due 10 working days later and B,
    when it supports, one due 5 working days later. A verification request to B gets B's
    5 working days; one to the foreign side F has no deadline.

    Tasks (period 01/01–31/12/2010):
      d1 opened Mon 01/03/2010: A due 15/03, done 15/03 (the due day)      → on time
                                B due 08/03, done 09/03                     → late
                                added task without a due date, done         → not counted
      d2 opened Fri 17/12/2010: A due 31/12 (last day), open                → due, not overdue
                                B due 24/12, open                           → open overdue
      d3 opened Thu 17/12/2009: A due 31/12/2009 (day before), done 04/01/2010 → not counted
                                B due 24/12/2009, open                      → not counted
                                added task due 01/01/2010 (first day), open → open overdue
      d4 opened Fri 24/12/2010: B due 31/12, done 30/12 (early)             → on time
                                A due 10/01/2011 (3/1 is the New Year day off) → not counted
      d5 (A only, B is no party) opened 01/03/2010: A due 15/03, done 20/03 → late
      → 7 due: 2 on time (d1-A, d4-B), 2 late (d1-B, d5-A), 2 open overdue (d2-B, d3 added),
        1 open but not yet overdue (d2-A); on-time share 2/7 = 0.286.

    Verification requests (s1…s7 persons):
      v1 d1 s1 of B on 01/03 → due 08/03, clarified 05/03 (early)          → on time
      v2 d1 s2 of B on 01/03 → due 08/03, unresolved 08/03 (the due day)   → on time
      v3 d1 s1 of B on 01/03 → due 08/03, clarified 10/03                  → late
      v4 d1 s3 of F on 01/03 → no deadline, clarified 20/03                → not counted
      v5 d4 s4 of B on 24/12 → due 31/12 (last day), no answer yet         → due only
      v6 d4 s5 of B on 27/12 → due 04/01/2011, unresolved 30/12            → not counted
      v7 d3 s6 of B on 17/12/2009 → due 24/12/2009, clarified 04/01/2010   → not counted
      v8 d5 s7 of B on 01/03 → due 08/03, unresolved 09/03                 → late
      → 5 due: 2 on time, 2 late; share 0.4.
      Answered in 2010: v1 v2 v3 v4 v6 v7 v8 = 7, clarified v1 v3 v4 v7 = 4,
      persons verified s1 s3 s6 = 3.
    """
    w = world

    def dossier(opened_on, *, b=True):
        return open_dossier(
            w.joint,
            w.a,
            supporting=[w.b] if b else [],
            counterpart=w.f,
            opened_on=opened_on,
            crime_type=w.crime,
        )

    def done(dossier, agency, on):
        task_complete(actor=SYSTEM, task=dossier.tasks.get(agency=agency), done_on=on)

    d1 = dossier(D(2010, 3, 1))
    d2 = dossier(D(2010, 12, 17))
    d3 = dossier(D(2009, 12, 17))
    d4 = dossier(D(2010, 12, 24))
    d5 = dossier(D(2010, 3, 1), b=False)
    done(d1, w.a, D(2010, 3, 15))
    done(d1, w.b, D(2010, 3, 9))
    undated = task_add(actor=SYSTEM, dossier=d1, title="Tổng hợp báo cáo", agency=w.a)
    task_complete(actor=SYSTEM, task=undated, done_on=D(2010, 3, 20))
    done(d3, w.a, D(2010, 1, 4))
    task_add(actor=SYSTEM, dossier=d3, title="Gửi công văn cho phía bạn", agency=w.a, due_on=FROM)
    done(d4, w.b, D(2010, 12, 30))
    done(d5, w.a, D(2010, 3, 20))

    persons = {}

    def ask(name, dossier, of, on, answer=None):
        subject = persons.get(name)
        if subject is None:
            subject = persons[name] = subject_services.subject_create(
                actor=SYSTEM, owner_agency=w.a, full_name=name
            )
        subject_services.subject_link(
            actor=SYSTEM, dossier=dossier, subject=subject, role=SubjectRole.UNDER_VERIFICATION
        )
        verification = subject_services.verification_request(
            actor=SYSTEM,
            dossier=dossier,
            subject=subject,
            requested_by=w.a,
            requested_of=of,
            question="Xác minh nhân thân",
            requested_on=on,
        )
        if answer is not None:
            outcome, answered_on = answer
            subject_services.verification_answer(
                actor=SYSTEM,
                verification=verification,
                outcome=outcome,
                answer="Trả lời",
                answered_on=answered_on,
            )
        return verification

    march = D(2010, 3, 1)
    w.v = {
        "v1": ask("Vương Tiểu Minh", d1, w.b, march, (CLARIFIED, D(2010, 3, 5))),
        "v2": ask("Lý Thị Mai", d1, w.b, march, (UNRESOLVED, D(2010, 3, 8))),
        "v3": ask("Vương Tiểu Minh", d1, w.b, march, (CLARIFIED, D(2010, 3, 10))),
        "v4": ask("Hoàng Văn Páo", d1, w.f, march, (CLARIFIED, D(2010, 3, 20))),
        "v5": ask("Giàng Seo Sử", d4, w.b, D(2010, 12, 24)),
        "v6": ask("Lục Văn Tài", d4, w.b, D(2010, 12, 27), (UNRESOLVED, D(2010, 12, 30))),
        "v7": ask("Sùng Mí Chứ", d3, w.b, D(2009, 12, 17), (CLARIFIED, D(2010, 1, 4))),
        "v8": ask("Vàng Thị Mỷ", d5, w.b, march, (UNRESOLVED, D(2010, 3, 9))),
    }
    w.d = {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5}
    return w


def timely(stats):
    t = stats["timeliness"]
    return (
        (t["tasks_due"], t["tasks_on_time"], t["tasks_late"], t["tasks_open_overdue"]),
        (t["verifications_due"], t["verifications_on_time"], t["verifications_late"]),
    )


def test_the_fixture_deadlines_are_the_working_day_ones(deadlines):
    due = {
        (name, task.agency.code if task.responsibility_id else "added"): task.due_on
        for name, d in deadlines.d.items()
        for task in d.tasks.select_related("agency")
    }
    assert due == {
        ("d1", "cat"): D(2010, 3, 15),
        ("d1", "sngv"): D(2010, 3, 8),
        ("d1", "added"): None,
        ("d2", "cat"): D(2010, 12, 31),
        ("d2", "sngv"): D(2010, 12, 24),
        ("d3", "cat"): D(2009, 12, 31),
        ("d3", "sngv"): D(2009, 12, 24),
        ("d3", "added"): D(2010, 1, 1),
        ("d4", "cat"): D(2011, 1, 10),
        ("d4", "sngv"): D(2010, 12, 31),
        ("d5", "cat"): D(2010, 3, 15),
    }
    assert {k: v.due_on for k, v in deadlines.v.items()} == {
        "v1": D(2010, 3, 8),
        "v2": D(2010, 3, 8),
        "v3": D(2010, 3, 8),
        "v4": None,
        "v5": D(2010, 12, 31),
        "v6": D(2011, 1, 4),
        "v7": D(2009, 12, 24),
        "v8": D(2010, 3, 8),
    }


def test_timeliness_is_the_hand_counted_one(deadlines):
    stats = stats_for(SYSTEM)
    assert stats["timeliness"] == {
        "tasks_due": 7,
        "tasks_on_time": 2,
        "tasks_late": 2,
        "tasks_open_overdue": 2,
        "tasks_on_time_share": 0.286,
        "verifications_due": 5,
        "verifications_on_time": 2,
        "verifications_late": 2,
        "verifications_on_time_share": 0.4,
    }
    # The answered figures come from the same scan of requests: v5 (due in the period, not
    # answered) is in that scan but is no answer.
    assert stats["verifications_answered"] == 7
    assert stats["verifications_clarified"] == 4
    assert stats["subjects_verified"] == 3
    assert stats["subjects_verified_by_agency"] == [
        {"agency": "sngv", "name": "Sở Ngoại vụ tỉnh Hà Giang", "count": 2},  # s1, s6
        {"agency": "ca-vanson", "name": "Cục Công an châu Văn Sơn", "count": 1},  # s3
    ]


def test_timeliness_counts_deadlines_on_the_periods_edge_days(deadlines):
    # A week whose first day is the 5-day deadline and whose last is the 10-day one.
    week = stats_for(SYSTEM, date_from=D(2010, 3, 8), date_to=D(2010, 3, 15))
    assert timely(week) == ((3, 1, 2, 0), (4, 2, 2))  # d1-B, d1-A, d5-A; v1 v2 v3 v8
    # The days strictly between: nothing due, and the shares are None rather than 0.
    between = stats_for(SYSTEM, date_from=D(2010, 3, 9), date_to=D(2010, 3, 14))
    assert timely(between) == ((0, 0, 0, 0), (0, 0, 0))
    assert between["timeliness"]["tasks_on_time_share"] is None
    assert between["timeliness"]["verifications_on_time_share"] is None
    # Without the last day: d2-A, d4-B and v5 drop; d2-B (due 24/12) is still overdue.
    assert timely(stats_for(SYSTEM, date_to=D(2010, 12, 30))) == ((5, 1, 2, 2), (4, 2, 2))
    # Without the first day: the added d3 task drops.
    assert timely(stats_for(SYSTEM, date_from=D(2010, 1, 2))) == ((6, 2, 2, 1), (5, 2, 2))
    # From the day before: d3-A (due 31/12/2009, done 04/01/2010) joins, late; d3-B (due
    # 24/12/2009) stays out.
    assert timely(stats_for(SYSTEM, date_from=D(2009, 12, 31))) == ((8, 2, 3, 2), (5, 2, 2))
    # The day after: d2-A, due 31/12 and still open, is now overdue; d4-A, v6 are due later.
    assert timely(stats_for(SYSTEM, date_to=D(2011, 1, 1))) == ((7, 2, 2, 3), (5, 2, 2))
    # The last day alone: d2-A (open, due that very day, not overdue), d4-B on time; v5.
    last = stats_for(SYSTEM, date_from=TO, date_to=TO)
    assert timely(last) == ((2, 1, 0, 0), (1, 0, 0))
    assert last["timeliness"]["tasks_on_time_share"] == 0.5


def test_open_tasks_are_overdue_only_up_to_today(deadlines, monkeypatch):
    # A period reaching past today: a task is overdue once its due date is behind today.
    monkeypatch.setattr(statistics, "_today", lambda: D(2010, 12, 24))
    assert timely(stats_for(SYSTEM))[0] == (7, 2, 2, 1)  # d3 added; d2-B is due today
    monkeypatch.setattr(statistics, "_today", lambda: D(2010, 12, 27))
    assert timely(stats_for(SYSTEM))[0] == (7, 2, 2, 2)  # and d2-B
    monkeypatch.setattr(statistics, "_today", lambda: D(2011, 6, 1))
    assert timely(stats_for(SYSTEM))[0] == (7, 2, 2, 2)  # the period's end bounds it


def test_timeliness_follows_the_actor_and_the_regulation(deadlines):
    w = deadlines
    # Officer of B: no d5 (A only), so no d5-A and no v8.
    stats_b = stats_for(w.officer_b)
    assert timely(stats_b) == ((6, 2, 1, 2), (4, 2, 1))
    assert stats_b["timeliness"]["tasks_on_time_share"] == 0.333
    assert stats_b["timeliness"]["verifications_on_time_share"] == 0.5
    assert timely(stats_for(w.oversight)) == timely(stats_for(SYSTEM))
    assert timely(stats_for(w.admin)) == ((0, 0, 0, 0), (0, 0, 0))

    other, article = regulation_tree(parties=[w.a, w.b], code="QC-KHAC")
    clause = clause_with_responsibilities(
        article, 1, [{"agency": w.a, "role": ResponsibilityRole.LEAD, "response_days": 3}]
    )
    other_joint = CategoryFactory(
        regulation=other, clause=clause, code="an-hinh-su", kind=CategoryKind.JOINT_CRIMINAL
    )
    # Opened Mon 01/03/2010: A's task is due Thu 04/03/2010 and stays open.
    open_dossier(other_joint, w.a, counterpart=w.f, opened_on=D(2010, 3, 1), crime_type=w.crime)
    assert timely(stats_for(SYSTEM)) == ((8, 2, 2, 3), (5, 2, 2))
    assert timely(stats_for(SYSTEM, regulation=w.regulation)) == ((7, 2, 2, 2), (5, 2, 2))
    assert timely(stats_for(SYSTEM, regulation=other)) == ((1, 0, 0, 1), (0, 0, 0))


# --- The result goes into a JSON field as it stands -------------------------------------------


def _json_types_only(value):
    if isinstance(value, dict):
        return all(type(k) is str and _json_types_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_types_only(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


@pytest.mark.parametrize("fixture", ["data", "deadlines"])
def test_the_result_holds_json_types_only(fixture, request):
    request.getfixturevalue(fixture)
    for actor in (SYSTEM, request.getfixturevalue("world").officer_b):
        stats = stats_for(actor, date_from=D(2009, 12, 31), date_to=D(2011, 1, 1))
        assert _json_types_only(stats)  # no Decimal, date, tuple, lazy string or enum member
        assert json.loads(json.dumps(stats)) == stats
