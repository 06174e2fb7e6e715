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
"""

import datetime as dt
import io

import pytest

from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.services import dossier_transition
from phoihop.regulations.choices import CategoryKind, ResponsibilityRole
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
CLARIFIED, UNRESOLVED = VerificationOutcome.CLARIFIED, VerificationOutcome.UNRESOLVED


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
        with django_assert_max_num_queries(12):
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
