"""The authorization matrix: every URL of the URLconf, answered for every kind of actor.

The routes are read from `django.urls.get_resolver()` (the DRF router's included), so
a new URL without a line in EXPECTED fails `test_every_route_is_in_the_matrix` and its
own matrix case, naming it. Each line says how to build the URL from the `scene`
fixture and what each actor kind gets on GET:

* anonymous: pages redirect to the login page, the API answers 401/403;
* lead / support: officers of the dossier's lead and supporting agencies;
* other_agency: an officer (Tuyệt mật clearance) of an agency not party to the dossier;
* low_clearance: an officer of the lead agency cleared below the dossier's Mật;
* oversight: provincial oversight — figures yes, dossiers and persons no.

Something an actor may not see answers 404, exactly like something that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from phoihop.audit.models import AuditEvent
from phoihop.dossiers.models import Attachment, Dossier, Message, Task, TimelineEvent
from phoihop.subjects.models import DossierSubject, Subject, Verification
from tests.web_fixtures import ACTOR_KINDS, SCENE_TITLE, login, scene, tuyet_mat  # noqa: F401

# --- expectations -----------------------------------------------------------------------------

LOGIN = "login"  # 302 to the login page, with ?next= the requested URL
API_DENIED = frozenset({401, 403})


@dataclass(frozen=True)
class Redirect:
    to: str


@dataclass(frozen=True)
class Route:
    expect: dict[str, Any]
    kwargs: Callable[[Any], dict] = lambda s: {}
    query: Callable[[Any], str] = lambda s: ""
    # False for routes about something other than one dossier's objects (reviews):
    # the Tuyệt mật pass replays only the dossier-scoped ones.
    dossier_scoped: bool = True


def _row(anonymous, lead, support, leader, other_agency, low_clearance, oversight, admin):
    return dict(
        zip(
            ACTOR_KINDS,
            (anonymous, lead, support, leader, other_agency, low_clearance, oversight, admin),
            strict=True,
        )
    )


SIGNED_IN = 7  # the actor kinds after anonymous
PAGE = _row(LOGIN, *[200] * SIGNED_IN)
OBJECT_PAGE = _row(LOGIN, 200, 200, 200, 404, 404, 404, 404)
POST_ONLY_PAGE = _row(LOGIN, *[405] * SIGNED_IN)
LEADER_PAGE = _row(LOGIN, 404, 404, 200, 404, 404, 404, 404)
WHOLE_FIGURES = _row(LOGIN, 404, 404, 200, 404, 404, 200, 404)
ADMIN_PAGE = _row(LOGIN, 404, 404, 404, 404, 404, 404, 200)
API = _row(API_DENIED, *[200] * SIGNED_IN)
OBJECT_API = _row(API_DENIED, 200, 200, 200, 404, 404, 404, 404)
POST_ONLY_API = _row(API_DENIED, *[405] * SIGNED_IN)
PUBLIC = _row(*[200] * (SIGNED_IN + 1))
CASEWORK_PAGE = _row(LOGIN, 200, 200, 200, 200, 200, 404, 404)
UPLOADER_PAGE = _row(LOGIN, 200, 404, 404, 404, 404, 404, 404)
CASEWORK_POST_ONLY = _row(LOGIN, 405, 405, 405, 405, 405, 404, 404)


def _review(s):
    """The scene's review of its regulation, opened on first use."""
    import datetime as dt

    from phoihop.core.policy import SYSTEM
    from phoihop.reviews.models import Review
    from phoihop.reviews.services import review_open

    return Review.objects.first() or review_open(
        actor=SYSTEM,
        regulation=s.world.regulation,
        date_from=dt.date(2010, 1, 1),
        date_to=dt.date(2010, 12, 31),
    )


def _nomination(s):
    """A nomination of the lead officer (the nominee reads it), opened on first use."""
    from phoihop.awards.models import Nomination
    from phoihop.awards.services import nomination_create
    from phoihop.core.policy import SYSTEM

    return Nomination.objects.first() or nomination_create(
        actor=SYSTEM,
        review=_review(s),
        kind="individual",
        nominee_user=s.world.officer_a,
        awarding_agency=s.world.a,
        reason="Thành tích phối hợp",
        evidence=[s.dossier],
    )


def _next_version(s):
    """Version 2 of the scene's regulation, made from it, on first use."""
    from phoihop.regulations.models import Regulation
    from tests.factories import RegulationFactory

    old = s.world.regulation
    return Regulation.objects.filter(previous=old).first() or RegulationFactory(
        code=f"{old.code}-2", series=old.series, version=2, previous=old, parties=[s.world.a]
    )


def _amendment(s):
    """A unit's proposal to amend the scene's clause, made on first use."""
    from phoihop.core.policy import SYSTEM
    from phoihop.regulations.lifecycle import amendment_propose
    from phoihop.regulations.models import ClauseAmendment

    return ClauseAmendment.objects.first() or amendment_propose(
        actor=SYSTEM,
        clause=s.world.clause,
        text="Rút ngắn thời hạn trả lời còn 05 ngày làm việc.",
        rationale="Thời hạn hiện hành quá dài.",
        origin="unit",
        unit=s.world.unit_a,
    )


def _batch(s, row: int | None = None) -> dict:
    """A list checked by the lead officer (kept for them alone), and one of its rows."""
    import io

    from phoihop.subjects.batch import batch_check

    data = b"ho_ten,ngay_sinh\nVang Seo Dinh,1982\n"
    batch = batch_check(
        actor=s.world.officer_a,
        fileobj=io.BytesIO(data),
        filename="danh-sach.csv",
        purpose="verification",
    )
    return {"token": batch.token, **({"row": row} if row else {})}


def _verification(s):
    """A request of the scene's dossier to its foreign counterpart, made on first use."""
    from phoihop.core.policy import SYSTEM
    from phoihop.subjects.models import Verification
    from phoihop.subjects.services import verification_request

    return Verification.objects.filter(dossier=s.dossier).first() or verification_request(
        actor=SYSTEM,
        dossier=s.dossier,
        subject=s.subject,
        requested_by=s.world.a,
        requested_of=s.world.f,
        question="Đề nghị xác minh nhân thân.",
        requested_on=s.dossier.opened_on,
        response_days=15,
        new_message={"number_symbol": "126/CAT-PX13"},
        fields=["full_name"],
    )


def _pk(attr: str) -> Callable[[Any], dict]:
    return lambda s: {"pk": getattr(s, attr).pk}


def _import_job(s):
    """A checked import uploaded by the lead officer (only they see it), made on first use."""
    import io

    from phoihop.subjects.imports import import_upload
    from phoihop.subjects.models import ImportJob

    return ImportJob.objects.first() or import_upload(
        actor=s.world.officer_a,
        file=io.BytesIO("ho_ten,ngay_sinh\nLò Văn Páo,1980\n".encode()),
        filename="ds.csv",
    )


def _import_pk(s):
    return {"pk": _import_job(s).pk}


def _with_photo(s) -> dict:
    """The scene's person, given a photo on first use."""
    from django.core.files.base import ContentFile

    if not s.subject.photo:
        s.subject.photo.save("anh", ContentFile(b"\x89PNG\r\n\x1a\n" + b"\0" * 16))
        Subject.objects.filter(pk=s.subject.pk).update(photo_content_type="image/png")
    return {"pk": s.subject.pk}


def _twin(s) -> Subject:
    """A second record of the scene's person, in the same dossier, made on first use."""
    from phoihop.core.policy import SYSTEM
    from phoihop.subjects.services import subject_create_in_dossier

    return Subject.objects.filter(
        dossier_links__dossier=s.dossier, full_name="Bản trùng"
    ).first() or subject_create_in_dossier(
        actor=SYSTEM,
        dossier=s.dossier,
        role="witness",
        owner_agency=s.dossier.lead_agency,
        full_name="Bản trùng",
    )


def _merge_pk(s) -> dict:
    """The twin merged into the scene's person, on first use."""
    from phoihop.core.policy import SYSTEM
    from phoihop.subjects.merge import subject_merge
    from phoihop.subjects.models import SubjectMerge

    record = SubjectMerge.objects.filter(kept=s.subject).first() or subject_merge(
        actor=SYSTEM, keep=s.subject, merge=_twin(s), reason="Trùng."
    )
    return {"pk": record.pk}


STATS_QUERY = "date_from=2010-01-01&date_to=2010-12-31"

EXPECTED: dict[str, Route] = {
    # core
    "core:dashboard": Route(PAGE),
    # a liveness probe for the load balancer: answers "ok", reads nothing
    "core:healthz": Route(PUBLIC),
    # accounts
    "accounts:login": Route(
        _row(200, *[Redirect("/")] * SIGNED_IN)  # redirect_authenticated_user=True
    ),
    # Django 5 LogoutView is POST-only
    "accounts:logout": Route(_row(*[405] * (SIGNED_IN + 1))),
    # two-factor: officers and oversight have no device, so the code page sends them to
    # enrolment; the leader and the administrator are signed in with theirs already verified
    "accounts:two-factor": Route(
        _row(
            LOGIN,
            *[Redirect("/accounts/2fa/setup/")] * 2,
            Redirect("/"),
            *[Redirect("/accounts/2fa/setup/")] * 3,
            Redirect("/"),
        )
    ),
    # enrolment is for those without a device; who has one is sent to the security page
    "accounts:two-factor-setup": Route(
        _row(
            LOGIN,
            200,
            200,
            Redirect("/accounts/security/"),
            200,
            200,
            200,
            Redirect("/accounts/security/"),
        )
    ),
    # the QR image exists only while an enrolment is under way
    "accounts:two-factor-qr": Route(_row(LOGIN, *[404] * SIGNED_IN)),
    # the signed-in user's own security page
    "accounts:security": Route(PAGE),
    "accounts:password-change": Route(PAGE),
    "accounts:sessions-revoke": Route(POST_ONLY_PAGE),
    "accounts:two-factor-reset": Route(POST_ONLY_PAGE),
    # administration of users: administrators only
    "accounts:user-list": Route(ADMIN_PAGE),
    "accounts:user-create": Route(ADMIN_PAGE),
    "accounts:user-edit": Route(ADMIN_PAGE, lambda s: {"pk": s.world.officer_a.pk}),
    "accounts:user-history": Route(ADMIN_PAGE, lambda s: {"pk": s.world.officer_a.pk}),
    "accounts:user-reset-two-factor": Route(
        _row(LOGIN, *[404] * 6, 405), lambda s: {"pk": s.world.officer_a.pk}
    ),
    "accounts:user-unlock": Route(
        _row(LOGIN, *[404] * 6, 405), lambda s: {"pk": s.world.officer_a.pk}
    ),
    # administration of agencies and their mergers, renamings: administrators only
    "accounts:agency-list": Route(ADMIN_PAGE),
    "accounts:agency-create": Route(ADMIN_PAGE),
    "accounts:agency-succession": Route(ADMIN_PAGE),
    # dossiers
    "dossiers:list": Route(PAGE),
    "dossiers:export-csv": Route(PAGE),
    "dossiers:export-xlsx": Route(PAGE),
    # oversight and administrators open no dossier: not even the form
    "dossiers:create": Route(_row(LOGIN, 200, 200, 200, 200, 200, 404, 404)),
    "dossiers:detail": Route(OBJECT_PAGE, _pk("dossier")),
    "dossiers:edit": Route(OBJECT_PAGE, _pk("dossier")),
    "dossiers:transition": Route(POST_ONLY_PAGE, _pk("dossier")),
    "dossiers:task-add": Route(POST_ONLY_PAGE, _pk("dossier")),
    "dossiers:message-add": Route(POST_ONLY_PAGE, _pk("dossier")),
    "dossiers:task-complete": Route(POST_ONLY_PAGE, _pk("task")),
    "dossiers:attachment": Route(OBJECT_PAGE, _pk("attachment")),
    "dossiers:history": Route(OBJECT_PAGE, _pk("dossier")),
    "dossiers:copies": Route(OBJECT_PAGE, _pk("dossier")),
    "dossiers:restrictions": Route(POST_ONLY_PAGE, _pk("dossier")),
    "dossiers:copy-request": Route(POST_ONLY_PAGE, _pk("dossier")),
    "dossiers:copy-decide": Route(POST_ONLY_PAGE, _pk("dossier")),
    "dossiers:print": Route(POST_ONLY_PAGE, _pk("dossier")),
    # a registered printed copy, only for whoever made it: the scene has made none
    "dossiers:print-copy": Route(
        _row(LOGIN, *[404] * SIGNED_IN), lambda s: {"pk": s.dossier.pk, "number": 1}
    ),
    # subjects
    "subjects:list": Route(PAGE),
    # adding a person to a dossier needs the right to change that dossier
    "subjects:create": Route(OBJECT_PAGE, query=lambda s: f"dossier={s.dossier.pk}"),
    "subjects:detail": Route(OBJECT_PAGE, _pk("subject")),
    "subjects:history": Route(OBJECT_PAGE, _pk("subject")),
    # GET asks for the purpose before any personal data is shown
    "subjects:print": Route(OBJECT_PAGE, _pk("subject")),
    # the person's record: editing asks the purpose first (200); the photo only after it (403)
    "subjects:edit": Route(OBJECT_PAGE, _pk("subject")),
    "subjects:photo": Route(_row(LOGIN, 403, 403, 403, 404, 404, 404, 404), _with_photo),
    # suggested Hán-Việt and pinyin readings of typed Hán tự: for casework users, reads no data
    "subjects:readings": Route(
        _row(LOGIN, 200, 200, 200, 200, 200, 404, 404),
        query=lambda s: "native_name=%E7%8E%8B",
        dossier_scoped=False,
    ),
    # merging duplicates: whoever may change both records; undoing is POST only
    "subjects:merge": Route(OBJECT_PAGE, _pk("subject")),
    "subjects:merge-confirm": Route(
        OBJECT_PAGE, lambda s: {"pk": s.subject.pk, "other": _twin(s).pk}
    ),
    "subjects:merge-detail": Route(OBJECT_PAGE, _merge_pk),
    "subjects:merge-undo": Route(POST_ONLY_PAGE, _merge_pk),
    "subjects:export-csv": Route(POST_ONLY_PAGE),
    "subjects:export-xlsx": Route(POST_ONLY_PAGE),
    # person imports: casework users upload; an import is seen only by the officer who made it
    "subjects:import-upload": Route(CASEWORK_PAGE, dossier_scoped=False),
    "subjects:import-template": Route(CASEWORK_PAGE, dossier_scoped=False),
    "subjects:import-detail": Route(UPLOADER_PAGE, _import_pk, dossier_scoped=False),
    "subjects:import-map": Route(UPLOADER_PAGE, _import_pk, dossier_scoped=False),
    "subjects:import-progress": Route(UPLOADER_PAGE, _import_pk, dossier_scoped=False),
    "subjects:import-resolve": Route(CASEWORK_POST_ONLY, _import_pk, dossier_scoped=False),
    "subjects:import-commit": Route(CASEWORK_POST_ONLY, _import_pk, dossier_scoped=False),
    # the read log of personal data: leaders only
    "subjects:access-log": Route(LEADER_PAGE),
    # verification requests follow their dossier; the list shows each user what they may see
    "subjects:verification-list": Route(PAGE),
    "subjects:verification-create": Route(OBJECT_PAGE, lambda s: {"dossier_pk": s.dossier.pk}),
    "subjects:verification-detail": Route(OBJECT_PAGE, lambda s: {"pk": _verification(s).pk}),
    "subjects:verification-answer": Route(POST_ONLY_PAGE, lambda s: {"pk": _verification(s).pk}),
    "subjects:verification-close": Route(POST_ONLY_PAGE, lambda s: {"pk": _verification(s).pk}),
    # checking a list at once: casework users; a checked list (and its rows' actions) only
    # for the officer who checked it, whoever else asks (not about one dossier's objects)
    "subjects:batch": Route(_row(LOGIN, 200, 200, 200, 200, 200, 404, 404)),
    "subjects:batch-result": Route(
        _row(LOGIN, 200, *[404] * 6), lambda s: _batch(s), dossier_scoped=False
    ),
    "subjects:batch-confirm": Route(
        _row(LOGIN, 405, *[404] * 6), lambda s: _batch(s, 2), dossier_scoped=False
    ),
    "subjects:batch-create": Route(
        _row(LOGIN, 200, *[404] * 6), lambda s: _batch(s, 2), dossier_scoped=False
    ),
    "subjects:batch-request": Route(
        _row(LOGIN, 200, *[404] * 6), lambda s: _batch(s, 2), dossier_scoped=False
    ),
    # regulations are not secret among the agencies
    "regulations:list": Route(PAGE),
    "regulations:detail": Route(PAGE, lambda s: {"code": s.world.regulation.code}),
    "regulations:history": Route(PAGE, lambda s: {"code": s.world.regulation.code}),
    # the lifecycle: versions, hand edits and finalising by the secretariat and administrators
    # (the matrix's admin; the world's regulation is signed, so the clause and finalise pages
    # only say so); amendments proposed by casework users of the parties (the other agency,
    # oversight and administrators are none), decided and merged by POST only; signing by a
    # party's head (nobody in the scene is one); the signatures page for every reader, and no
    # PDF until a version is finalised
    "regulations:version-create": Route(ADMIN_PAGE, lambda s: {"code": s.world.regulation.code}),
    "regulations:amendment-create": Route(
        _row(LOGIN, 200, 200, 200, 404, 200, 404, 404),
        lambda s: {"code": s.world.regulation.code},
        dossier_scoped=False,
    ),
    "regulations:amendment-decide": Route(
        _row(LOGIN, *[404] * 6, 405), lambda s: {"pk": _amendment(s).pk}
    ),
    "regulations:amendment-merge": Route(
        _row(LOGIN, *[404] * 6, 405), lambda s: {"pk": _amendment(s).pk}
    ),
    "regulations:clause-edit": Route(
        ADMIN_PAGE, lambda s: {"code": s.world.regulation.code, "pk": s.world.clause.pk}
    ),
    "regulations:finalise": Route(ADMIN_PAGE, lambda s: {"code": s.world.regulation.code}),
    "regulations:sign": Route(
        _row(LOGIN, *[404] * SIGNED_IN), lambda s: {"code": s.world.regulation.code}
    ),
    "regulations:signatures": Route(PAGE, lambda s: {"code": s.world.regulation.code}),
    "regulations:signed-pdf": Route(
        _row(LOGIN, *[404] * SIGNED_IN), lambda s: {"code": s.world.regulation.code}
    ),
    # the redline between two versions of one series, on the page and as a DOCX annex
    "regulations:redline": Route(
        PAGE,
        lambda s: {"code": _next_version(s).code},
        query=lambda s: f"against={s.world.regulation.code}",
    ),
    "regulations:redline-docx": Route(
        PAGE,
        lambda s: {"code": _next_version(s).code},
        query=lambda s: f"against={s.world.regulation.code}",
    ),
    # importing and assigning responsibilities: the secretariat and administrators only (the
    # matrix's admin); with no upload pending, the preview sends back to the upload form;
    # the world's regulation is signed, so its responsibilities page is read-only
    "regulations:import": Route(ADMIN_PAGE),
    "regulations:import-preview": Route(_row(LOGIN, *[404] * 6, Redirect("/regulations/import/"))),
    "regulations:responsibilities": Route(ADMIN_PAGE, lambda s: {"code": s.world.regulation.code}),
    # the text as DOCX or PDF: whoever reads the regulation
    "regulations:export-docx": Route(PAGE, lambda s: {"code": s.world.regulation.code}),
    "regulations:export-pdf": Route(PAGE, lambda s: {"code": s.world.regulation.code}),
    # reviews: read by the roles that read whole-regulation figures, run by the secretariat
    # (none of the matrix's actors is the secretariat)
    "reviews:list": Route(PAGE),
    "reviews:create": Route(_row(LOGIN, *[404] * SIGNED_IN)),
    "reviews:detail": Route(WHOLE_FIGURES, lambda s: {"pk": _review(s).pk}, dossier_scoped=False),
    "reviews:chart": Route(WHOLE_FIGURES, lambda s: {"pk": _review(s).pk}, dossier_scoped=False),
    "reviews:report-docx": Route(
        WHOLE_FIGURES, lambda s: {"pk": _review(s).pk}, dossier_scoped=False
    ),
    "reviews:report-pdf": Route(
        WHOLE_FIGURES, lambda s: {"pk": _review(s).pk}, dossier_scoped=False
    ),
    # the report's restricted annex naming persons: produced on POST, and only for readers
    # of the review who may see some person (the leader, whose GET goes back to the form on
    # the review page); everyone else gets 404 before the method
    "reviews:persons-annex": Route(
        _row(LOGIN, 404, 404, 302, 404, 404, 404, 404),
        lambda s: {"pk": _review(s).pk},
        dossier_scoped=False,
    ),
    "reviews:recompute": Route(POST_ONLY_PAGE, lambda s: {"pk": _review(s).pk}),
    "reviews:close": Route(POST_ONLY_PAGE, lambda s: {"pk": _review(s).pk}),
    "reviews:proposal-decide": Route(POST_ONLY_PAGE, lambda s: {"pk": 1}),
    "reviews:conference": Route(POST_ONLY_PAGE, lambda s: {"pk": _review(s).pk}),
    # a unit's own assessment: its members write it (whatever their clearance: it holds no
    # dossier), the roles reading whole figures read it, nobody else reaches it
    "reviews:assessment": Route(
        _row(LOGIN, 200, 404, 200, 404, 200, 200, 404),
        lambda s: {"pk": _review(s).pk, "unit_pk": s.world.unit_a.pk},
        dossier_scoped=False,
    ),
    "reviews:assessment-remind": Route(
        POST_ONLY_PAGE, lambda s: {"pk": _review(s).pk, "unit_pk": s.world.unit_a.pk}
    ),
    # commendations: proposed by leaders (and the secretariat) from a review they may read
    "awards:create": Route(
        _row(LOGIN, 404, 404, 200, 404, 404, 404, 404),
        query=lambda s: f"review={_review(s).pk}",
        dossier_scoped=False,
    ),
    "awards:detail": Route(
        _row(LOGIN, 200, 404, 200, 404, 404, 200, 404),
        lambda s: {"pk": _nomination(s).pk},
        dossier_scoped=False,
    ),
    "awards:council": Route(POST_ONLY_PAGE, lambda s: {"pk": _nomination(s).pk}),
    "awards:consent": Route(POST_ONLY_PAGE, lambda s: {"pk": _nomination(s).pk}),
    "awards:decide": Route(POST_ONLY_PAGE, lambda s: {"pk": _nomination(s).pk}),
    # the scene's nomination is not decided: no certificate exists for anyone
    "awards:certificate": Route(
        _row(LOGIN, *[404] * SIGNED_IN), lambda s: {"pk": _nomination(s).pk}, dossier_scoped=False
    ),
    # statistics: every signed-in user, over what they may aggregate
    "reviews:statistics": Route(PAGE, query=lambda s: "date_from=01/01/2010&date_to=31/12/2010"),
    "reviews:statistics-chart": Route(
        PAGE, query=lambda s: "date_from=01/01/2010&date_to=31/12/2010"
    ),
    # API
    "api-schema": Route(API, query=lambda s: "format=json"),
    "api-docs": Route(API),
    "api-root": Route(API),
    "api-statistics": Route(API, query=lambda s: STATS_QUERY),
    "dossier-list": Route(API),
    "dossier-detail": Route(OBJECT_API, _pk("dossier")),
    "dossier-transition": Route(POST_ONLY_API, _pk("dossier")),
    "subject-list": Route(API),
    "subject-detail": Route(OBJECT_API, _pk("subject"), query=lambda s: "purpose=casework"),
    # matching is a read by POST: candidates come from the persons the user may see
    "subject-match": Route(POST_ONLY_API),
    "regulation-list": Route(API),
    "regulation-detail": Route(API, lambda s: {"code": s.world.regulation.code}),
    # -- activities: pages --
    # Activities are casework: the list and the registration form for every casework user,
    # an activity for whoever sees its dossier (oversight and administrators: none). The
    # matrix's activity mirrors the scene's dossier (Mật, A leads, B supports and so vets):
    # registration, itinerary and members are the lead agency's pages, the security
    # assessment the vetting agency's; the other side gets 404, as the services answer it.
    # Actions are POST only. The Tuyệt mật pass uses an activity registered by the named
    # officer of A (tests.test_activity_pages.matrix_activity).
    "activities:list": Route(CASEWORK_PAGE, dossier_scoped=False),
    "activities:create": Route(CASEWORK_PAGE, dossier_scoped=False),
    **{
        f"activities:{name}": Route(
            expect,
            lambda s: {
                "pk": __import__("tests.test_activity_pages", fromlist=["_"]).matrix_activity(s).pk
            },
        )
        for name, expect in (
            ("detail", OBJECT_PAGE),
            ("edit", _row(LOGIN, 200, 404, 200, 404, 404, 404, 404)),
            ("itinerary", _row(LOGIN, 200, 404, 200, 404, 404, 404, 404)),
            ("member-add", _row(LOGIN, 200, 404, 200, 404, 404, 404, 404)),
            ("assessment", _row(LOGIN, 404, 200, 404, 404, 404, 404, 404)),
            ("notify", POST_ONLY_PAGE),
            ("vetting-run", POST_ONLY_PAGE),
            ("opinion", POST_ONLY_PAGE),
            ("briefing", POST_ONLY_PAGE),
            ("incident-link", POST_ONLY_PAGE),
            ("incident-open", POST_ONLY_PAGE),
            ("close", POST_ONLY_PAGE),
            ("cancel", POST_ONLY_PAGE),
        )
    },
    **{
        f"activities:{name}": Route(
            POST_ONLY_PAGE,
            lambda s: {
                "pk": __import__("tests.test_activity_pages", fromlist=["_"]).matrix_member(s).pk
            },
        )
        for name in ("member-remove", "member-vetting")
    },
    # -- end activities pages --
    # -- activities: calendar --
    # The month and week views and the personal agenda (ICS) are casework pages: every
    # casework user gets them, showing only the activities they may see; oversight and
    # administrators reach none (404), like the activities' own pages.
    "activities:calendar": Route(
        CASEWORK_PAGE, query=lambda s: "date=15/03/2010", dossier_scoped=False
    ),
    "activities:calendar-week": Route(
        CASEWORK_PAGE, query=lambda s: "date=15/03/2010", dossier_scoped=False
    ),
    "activities:calendar-ics": Route(CASEWORK_PAGE, dossier_scoped=False),
    # -- end activities calendar --
    # -- newsroom (back-office editorial desk) --
    # The desk is for the editors and administrators of an agency: of the matrix's actors,
    # the administrator (of A). An article of A and its image are theirs alone; actions are
    # POST only (405 to them, 404 before the method to everyone else). A draft from a review
    # is handed over by the leaders and secretariat of a party who read the review (the
    # leader of A); oversight reads the review but writes no news.
    "newsroom:list": Route(ADMIN_PAGE, dossier_scoped=False),
    "newsroom:create": Route(ADMIN_PAGE, dossier_scoped=False),
    "newsroom:bundles": Route(ADMIN_PAGE, dossier_scoped=False),
    "newsroom:bundles-send": Route(_row(LOGIN, *[404] * 6, 405), dossier_scoped=False),
    "newsroom:preview": Route(_row(LOGIN, *[404] * 6, 405), dossier_scoped=False),
    **{
        f"newsroom:{name}": Route(
            expect,
            lambda s: {
                "pk": __import__("tests.test_newsroom_pages", fromlist=["_"]).matrix_article(s).pk
            },
            dossier_scoped=False,
        )
        for name, expect in (
            ("detail", ADMIN_PAGE),
            ("edit", ADMIN_PAGE),
            ("publish", _row(LOGIN, *[404] * 6, 405)),
            ("schedule", _row(LOGIN, *[404] * 6, 405)),
            ("unpublish", _row(LOGIN, *[404] * 6, 405)),
            ("image-add", _row(LOGIN, *[404] * 6, 405)),
        )
    },
    **{
        f"newsroom:{name}": Route(
            expect,
            lambda s: {
                "pk": __import__("tests.test_newsroom_pages", fromlist=["_"]).matrix_image(s).pk
            },
            dossier_scoped=False,
        )
        for name, expect in (
            ("image", ADMIN_PAGE),
            ("image-remove", _row(LOGIN, *[404] * 6, 405)),
        )
    },
    "newsroom:from-review": Route(
        LEADER_PAGE, lambda s: {"review_pk": _review(s).pk}, dossier_scoped=False
    ),
    # -- end newsroom --
    # -- bulletin: public pages, feed, sitemap, bundle receiver --
    "bulletin:list": Route(PUBLIC),
    "bulletin:search": Route(PUBLIC, query=lambda s: "q=phoi+hop"),
    "bulletin:feed": Route(PUBLIC),
    "bulletin:sitemap": Route(PUBLIC),
    "bulletin:article": Route(
        PUBLIC, __import__("tests.test_bulletin_public").test_bulletin_public.article_kwargs
    ),
    "bulletin:tag": Route(
        PUBLIC, __import__("tests.test_bulletin_public").test_bulletin_public.tag_kwargs
    ),
    "bulletin:image": Route(
        PUBLIC, __import__("tests.test_bulletin_public").test_bulletin_public.image_kwargs
    ),
    # POST only (a signed bundle), for everyone: no login involved.
    "bulletin:receive": Route(_row(*[405] * (SIGNED_IN + 1)), dossier_scoped=False),
    # A plain link switching the reading language, then back to the page.
    "bulletin:language": Route(
        _row(*[Redirect("/tin-tuc/")] * (SIGNED_IN + 1)),
        query=lambda s: "lang=vi&next=/tin-tuc/",
        dossier_scoped=False,
    ),
    # -- end bulletin public --
    # -- bulletin: reader comments and moderation --
    # The comment form and the report form are public pages (a moderator account is not a
    # back-office account): every actor gets them.
    "bulletin:comment-post": Route(
        PUBLIC,
        __import__("tests.comment_helpers").comment_helpers.matrix_article_kwargs,
        dossier_scoped=False,
    ),
    "bulletin:comment-report": Route(
        PUBLIC,
        __import__("tests.comment_helpers").comment_helpers.matrix_comment_kwargs,
        dossier_scoped=False,
    ),
    # Moderation: the public site's own accounts. Nobody of the back office is signed in
    # there, so every actor is sent to the moderation sign-in; POST-only routes answer 405.
    "bulletin:moderation-login": Route(PUBLIC, dossier_scoped=False),
    "bulletin:moderation-logout": Route(_row(*[405] * (SIGNED_IN + 1)), dossier_scoped=False),
    "bulletin:moderation-queue": Route(
        _row(
            *[Redirect("/tin-tuc/kiem-duyet/dang-nhap/?next=/tin-tuc/kiem-duyet/")]
            * (SIGNED_IN + 1)
        ),
        dossier_scoped=False,
    ),
    "bulletin:moderation-comment": Route(
        _row(
            *[
                Redirect(
                    "/tin-tuc/kiem-duyet/dang-nhap/?next=/tin-tuc/kiem-duyet/y-kien/"
                    "00000000-0000-4000-8000-000000000000/"
                )
            ]
            * (SIGNED_IN + 1)
        ),
        lambda s: {"public_id": "00000000-0000-4000-8000-000000000000"},
        dossier_scoped=False,
    ),
    "bulletin:moderation-blocks": Route(
        _row(
            *[Redirect("/tin-tuc/kiem-duyet/dang-nhap/?next=/tin-tuc/kiem-duyet/chan/")]
            * (SIGNED_IN + 1)
        ),
        dossier_scoped=False,
    ),
    "bulletin:moderation-articles": Route(
        _row(
            *[Redirect("/tin-tuc/kiem-duyet/dang-nhap/?next=/tin-tuc/kiem-duyet/bai-viet/")]
            * (SIGNED_IN + 1)
        ),
        dossier_scoped=False,
    ),
    "bulletin:moderation-decide": Route(_row(*[405] * (SIGNED_IN + 1)), dossier_scoped=False),
    "bulletin:moderation-block": Route(
        _row(*[405] * (SIGNED_IN + 1)),
        lambda s: {"public_id": "00000000-0000-4000-8000-000000000000"},
        dossier_scoped=False,
    ),
    "bulletin:moderation-answer": Route(
        _row(*[405] * (SIGNED_IN + 1)),
        lambda s: {"public_id": "00000000-0000-4000-8000-000000000000"},
        dossier_scoped=False,
    ),
    "bulletin:moderation-unblock": Route(
        _row(*[405] * (SIGNED_IN + 1)), lambda s: {"pk": 1}, dossier_scoped=False
    ),
    "bulletin:moderation-article": Route(
        _row(*[405] * (SIGNED_IN + 1)), lambda s: {"slug": "bai-viet"}, dossier_scoped=False
    ),
    # -- end bulletin comments --
}

# Routes deliberately left out of the matrix, each with its reason.
SKIPPED_NAMES = {
    "set_language": "Django's own language switch (django.conf.urls.i18n): POST-only, "
    "sets a cookie, reads no data",
}
SKIPPED_CALLBACK_MODULES = {
    "django.views.static": "static files served by Django in development only",
    "django.contrib.staticfiles.views": "static files served by Django in development only",
}


# --- reading the URLconf ----------------------------------------------------------------------


@dataclass(frozen=True)
class UrlEntry:
    name: str | None
    pattern: str
    params: tuple[str, ...]
    callback: Any

    @property
    def has_format_suffix(self) -> bool:
        return "format" in self.params

    @property
    def case_id(self) -> str:
        label = self.name or f"<unnamed {self.pattern}>"
        return f"{label}[.json]" if self.has_format_suffix else label


def iter_url_entries(
    resolver: URLResolver | None = None,
    prefix: str = "",
    namespace: str = "",
    params: tuple[str, ...] = (),
) -> Iterator[UrlEntry]:
    """Every URL pattern of the URLconf, with its namespaced name and captured parameters."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        captured = params + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace]))
            yield from iter_url_entries(entry, prefix + str(entry.pattern), ns, captured)
        else:
            assert isinstance(entry, URLPattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield UrlEntry(name, prefix + str(entry.pattern), captured, entry.callback)


def skip_reason(entry: UrlEntry) -> str | None:
    if entry.name in SKIPPED_NAMES:
        return SKIPPED_NAMES[entry.name]
    module = getattr(entry.callback, "__module__", "") or ""
    for prefix, reason in SKIPPED_CALLBACK_MODULES.items():
        if module.startswith(prefix):
            return reason
    return None


ENTRIES = [e for e in iter_url_entries() if skip_reason(e) is None]


def build_url(entry: UrlEntry, route: Route, s) -> str:
    kwargs = route.kwargs(s)
    if entry.has_format_suffix:
        kwargs = {**kwargs, "format": "json"}
    url = reverse(entry.name, kwargs=kwargs)
    query = route.query(s)
    return f"{url}?{query}" if query else url


def check(response, expected, url: str) -> str | None:
    """None when `response` matches `expected`, else a description of the difference."""
    status = response.status_code
    location = response.get("Location", "")
    if expected == LOGIN:
        want = f"{resolve_url(settings.LOGIN_URL)}?next={quote(url, safe='/')}"
        if status == 302 and location == want:
            return None
        return f"expected 302 → {want}, got {status} {location}"
    if isinstance(expected, Redirect):
        if status == 302 and location == expected.to:
            return None
        return f"expected 302 → {expected.to}, got {status} {location}"
    allowed = expected if isinstance(expected, frozenset) else {expected}
    if status in allowed:
        return None
    return f"expected {sorted(allowed)}, got {status} {location}".rstrip()


def get_as(client, user, url):
    login(client, user)
    response = client.get(url)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # consume (and close) file responses
    return response


# --- the matrix -------------------------------------------------------------------------------


def test_every_route_is_in_the_matrix():
    entries = list(iter_url_entries())
    unnamed = [e.pattern for e in entries if e.name is None and skip_reason(e) is None]
    assert not unnamed, f"URL patterns without a name cannot be checked: {unnamed}"
    names = {e.name for e in entries if skip_reason(e) is None}
    missing = sorted(names - set(EXPECTED))
    stale = sorted(set(EXPECTED) - names)
    assert not missing, (
        f"routes in the URLconf but not in the authorization matrix (add them to EXPECTED "
        f"in {__name__}): {missing}"
    )
    assert not stale, f"EXPECTED lists routes that are no longer in the URLconf: {stale}"


def test_the_url_walk_sees_the_router_and_the_namespaces():
    names = {e.name for e in iter_url_entries()}
    assert {"dossier-list", "dossier-detail", "dossier-transition", "api-root"} <= names
    assert {"dossiers:detail", "subjects:detail", "reviews:statistics-chart"} <= names
    assert "set_language" in names  # present, and skipped on purpose


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.case_id for e in ENTRIES])
def test_route_answers_each_actor_kind_as_expected(scene, client, entry):
    if entry.name not in EXPECTED:
        pytest.fail(
            f"route {entry.name!r} ({entry.pattern}) is in the URLconf but has no line in "
            f"EXPECTED of {__name__}: say what each actor kind gets"
        )
    route = EXPECTED[entry.name]
    url = build_url(entry, route, scene)
    mismatches = []
    for kind in ACTOR_KINDS:
        problem = check(get_as(client, scene.actors[kind], url), route.expect[kind], url)
        if problem:
            mismatches.append(f"{kind}: {problem}")
    assert not mismatches, f"GET {url} ({entry.name}):\n  " + "\n  ".join(mismatches)


@pytest.mark.parametrize(
    "entry",
    [
        e
        for e in ENTRIES
        if e.name in EXPECTED
        and EXPECTED[e.name].dossier_scoped
        and EXPECTED[e.name].expect["lead"] != EXPECTED[e.name].expect["other_agency"]
    ],
    ids=lambda e: e.case_id,
)
def test_a_tuyet_mat_object_answers_only_the_users_named_on_it(scene, tuyet_mat, client, entry):
    """Every route about one dossier's objects, on a Tuyệt mật dossier: named user only.

    The same leader, supporting officer or cleared colleague who gets the Mật
    dossier gets 404 here unless named; the named officer gets what the lead
    officer gets on the Mật one.
    """
    route = EXPECTED[entry.name]
    tm = tuyet_mat
    url = build_url(entry, route, tm)
    mismatches = []
    for who, user, expected in (
        ("named", tm.named, route.expect["lead"]),
        ("unnamed_leader", tm.unnamed_leader, 404),
        ("leader", scene.world.leader_a, 404),
        ("support", scene.world.officer_b, 404),
    ):
        problem = check(get_as(client, user, url), expected, url)
        if problem:
            mismatches.append(f"{who}: {problem}")
    assert not mismatches, f"GET {url} ({entry.name}):\n  " + "\n  ".join(mismatches)


def test_hidden_objects_answer_like_missing_ones_and_leak_nothing(scene, client):
    """404 for a dossier one may not see is the 404 of a dossier that does not exist."""
    missing = Dossier.objects.order_by("-pk").first().pk + 1000
    login(client, scene.world.officer_a)
    assert client.get(reverse("dossiers:detail", args=[missing])).status_code == 404
    for kind in ("other_agency", "low_clearance", "oversight"):
        login(client, scene.actors[kind])
        for url in (
            reverse("dossiers:detail", args=[scene.dossier.pk]),
            reverse("dossier-detail", args=[scene.dossier.pk]),
            reverse("subjects:detail", args=[scene.subject.pk]),
        ):
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code == 404, (kind, url)
            assert scene.dossier.reference not in body, (kind, url)
            assert SCENE_TITLE not in body, (kind, url)
            assert scene.subject.full_name not in body, (kind, url)


def test_lists_do_not_show_what_the_actor_may_not_see(scene, client):
    for kind in ("other_agency", "low_clearance", "oversight"):
        login(client, scene.actors[kind])
        page = client.get(reverse("dossiers:list")).content.decode()
        assert scene.dossier.reference not in page, kind
        csv = b"".join(client.get(reverse("dossiers:export-csv")).streaming_content).decode()
        assert scene.dossier.reference not in csv, kind
        assert client.get(reverse("dossier-list")).json()["count"] == 0, kind
        assert client.get(reverse("subject-list")).json()["count"] == 0, kind
        subjects = client.get(reverse("subjects:list")).content.decode()
        assert scene.subject.full_name not in subjects, kind
    login(client, scene.world.officer_a)
    assert client.get(reverse("dossier-list")).json()["count"] == 1
    assert client.get(reverse("subject-list")).json()["count"] == 1


# --- writes by someone who may not see the dossier --------------------------------------------


def _state(s) -> tuple:
    """Everything a refused write could have touched."""
    _verification(s)  # made before a write is tried, so that only the write could change it
    return (
        tuple(
            Dossier.objects.order_by("pk").values_list(
                "status", "title", "classification", "updated_at"
            )
        ),
        tuple(Task.objects.order_by("pk").values_list("pk", "title", "done_on")),
        Message.objects.count(),
        Attachment.objects.count(),
        TimelineEvent.objects.count(),
        AuditEvent.objects.count(),
        Subject.objects.count(),
        DossierSubject.objects.count(),
        tuple(Verification.objects.order_by("pk").values_list("pk", "state", "outcome")),
    )


def _page_write(client, s, name):
    w = s.world
    if name == "dossiers:transition":
        data = {"status": "in_progress", "outcome": "", "on": ""}
        return client.post(reverse(name, args=[s.dossier.pk]), data)
    if name == "dossiers:task-add":
        data = {"title": "Xác minh thêm nhân thân", "agency": w.a.pk, "unit": "", "due_on": ""}
        return client.post(reverse(name, args=[s.dossier.pk]), data)
    if name == "dossiers:message-add":
        data = {
            "direction": "in",
            "number_symbol": "88/CAVS",
            "sent_on": "02/03/2010",
            "sender": w.f.pk,
            "recipient": w.a.pk,
            "summary": "Phía bạn trả lời kết quả xác minh.",
            "classification": 0,
        }
        return client.post(reverse(name, args=[s.dossier.pk]), data)
    if name == "dossiers:task-complete":
        return client.post(reverse(name, args=[s.task.pk]))
    if name == "dossiers:edit":
        data = {
            "title": "Tên mới",
            "summary": "",
            "counterpart": "",
            "crime_type": "",
            "classification": 1,  # unchanged: lowering is for the lead agency's leaders
        }
        return client.post(reverse(name, args=[s.dossier.pk]), data)
    if name == "subjects:verification-create":
        data = {
            "subject": s.subject.pk,
            "requested_of": w.f.pk,
            "question": "Đề nghị xác minh nhân thân.",
            "fields": ["full_name"],
            "message_number_symbol": "127/CAT-PX13",
            "response_days": "15",
        }
        return client.post(reverse(name, args=[s.dossier.pk]), data)
    if name == "subjects:verification-answer":
        data = {"outcome": "confirmed", "answer": "Đúng nhân thân", "answered_on": ""}
        return client.post(reverse(name, args=[_verification(s).pk]), data)
    if name == "subjects:create":
        data = {
            "dossier": s.dossier.pk,
            "full_name": "Lò Văn Páo",
            "sex": "M",
            "nationality": "VN",
            "role": "witness",
        }
        return client.post(f"{reverse(name)}?dossier={s.dossier.pk}", data)
    raise AssertionError(name)


def _api_write(s, user, name):
    api = APIClient()
    api.force_login(user)
    if name == "dossier-transition":
        return api.post(
            reverse(name, args=[s.dossier.pk]), {"status": "in_progress"}, format="json"
        )
    if name == "dossier-detail":
        return api.patch(reverse(name, args=[s.dossier.pk]), {"title": "Tên mới"}, format="json")
    raise AssertionError(name)


PAGE_WRITES = [
    "dossiers:transition",
    "dossiers:task-add",
    "dossiers:message-add",
    "dossiers:task-complete",
    "dossiers:edit",
    "subjects:create",
    "subjects:verification-create",
    "subjects:verification-answer",
]
API_WRITES = ["dossier-transition", "dossier-detail"]
OUTSIDERS = ["other_agency", "low_clearance", "oversight"]


@pytest.mark.parametrize("kind", OUTSIDERS)
@pytest.mark.parametrize("name", PAGE_WRITES)
def test_post_by_an_outsider_is_404_and_saves_nothing(scene, client, name, kind):
    before = _state(scene)
    login(client, scene.actors[kind])
    response = _page_write(client, scene, name)
    assert response.status_code == 404
    assert _state(scene) == before


@pytest.mark.parametrize("kind", OUTSIDERS)
@pytest.mark.parametrize("name", API_WRITES)
def test_api_write_by_an_outsider_is_404_and_saves_nothing(scene, name, kind):
    before = _state(scene)
    response = _api_write(scene, scene.actors[kind], name)
    assert response.status_code == 404
    assert _state(scene) == before


@pytest.mark.parametrize("name", PAGE_WRITES)
def test_post_by_an_anonymous_user_goes_to_login_and_saves_nothing(scene, client, name):
    before = _state(scene)
    response = _page_write(client, scene, name)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert _state(scene) == before


@pytest.mark.parametrize("name", PAGE_WRITES)
def test_the_same_post_by_the_lead_officer_is_accepted(scene, client, name):
    """The refused payloads above are valid ones: the lead agency's officer gets them saved."""
    before = _state(scene)
    login(client, scene.world.officer_a)
    response = _page_write(client, scene, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == scene.dossier.get_absolute_url()
    assert _state(scene) != before


@pytest.mark.parametrize("name", API_WRITES)
def test_the_same_api_write_by_the_lead_officer_is_accepted(scene, name):
    before = _state(scene)
    response = _api_write(scene, scene.world.officer_a, name)
    assert response.status_code == 200, response.content
    assert _state(scene) != before
