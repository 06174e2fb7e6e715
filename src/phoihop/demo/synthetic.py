"""Synthetic data at scale for benchmarks: bulk inserts, never one save per row.

Builds on the demo's agencies and regulation (created without dossiers when
missing) and adds `dossiers` dossiers with their parties and tasks, `subjects`
persons linked to them, and verifications, with realistic proportions. One
audit event records the generation itself.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record
from phoihop.core.policy import SYSTEM
from phoihop.core.text import search_blob
from phoihop.demo import hagiang
from phoihop.demo import names as pools
from phoihop.dossiers.choices import DossierStatus, PartyRole
from phoihop.dossiers.models import Dossier, DossierParty, Task
from phoihop.regulations.models import Category, CrimeType, Regulation
from phoihop.subjects.choices import Sex, SubjectRole, VerificationOutcome, VerificationState
from phoihop.subjects.matching import key_rows
from phoihop.subjects.models import DossierSubject, Subject, SubjectNameKey, Verification
from phoihop.subjects.names import han_viet_of, pinyin_of

BATCH = 5000
STATUS_WEIGHTS = {
    DossierStatus.RESOLVED: 70,
    DossierStatus.CLOSED_NO_RESULT: 6,
    DossierStatus.IN_PROGRESS: 14,
    DossierStatus.AWAITING_COUNTERPART: 6,
    DossierStatus.OPENED: 4,
}


def ensure_base() -> Regulation:
    """The demo's agencies, users and regulation, without its dossiers."""
    regulation = Regulation.objects.filter(code="QCPH-2008").first()
    if regulation is None:
        with transaction.atomic():
            agencies, _users = hagiang._setup_agencies()
            regulation, _c, _t = hagiang._setup_regulation(agencies)
    return regulation


def generate(
    *, dossiers: int, subjects: int, seed: int = 1, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    rng = random.Random(seed)
    regulation = ensure_base()
    categories = list(Category.objects.filter(regulation=regulation))
    crimes = list(CrimeType.objects.all())
    ca = Agency.objects.get(code="cat-hagiang")
    nv = Agency.objects.get(code="sngv-hagiang")
    bp = Agency.objects.get(code="bdbp-hagiang")
    cn = Agency.objects.get(code="ca-vanson")
    start = dt.date(2005, 1, 1)
    span = (dt.date(2026, 10, 31) - start).days
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    prefix = f"G{seed}"
    offset = Dossier.objects.filter(reference__startswith=f"{prefix}-").count()
    made_dossiers = made_subjects = 0
    say = progress or (lambda _m: None)

    for batch_start in range(0, dossiers, BATCH):
        n = min(BATCH, dossiers - batch_start)
        rows = []
        for i in range(n):
            category = rng.choice(categories)
            opened = start + dt.timedelta(days=rng.randint(0, span))
            status = rng.choices(statuses, weights)[0]
            resolved = None
            if status in (DossierStatus.RESOLVED, DossierStatus.CLOSED_NO_RESULT):
                resolved = opened + dt.timedelta(days=rng.randint(3, 240))
            lead = nv if category.kind == "delegation_security" else ca
            number = offset + batch_start + i + 1
            title = f"{category.name} – hồ sơ tổng hợp số {number}"
            reference = f"{prefix}-{number:08d}"
            rows.append(
                Dossier(
                    reference=reference,
                    title=title,
                    category=category,
                    clause_id=category.clause_id,
                    crime_type=rng.choice(crimes) if category.kind == "joint_criminal" else None,
                    lead_agency=lead,
                    counterpart=cn if rng.random() < 0.7 else None,
                    classification=rng.choices([0, 1, 2], [75, 20, 5])[0],
                    status=status,
                    opened_on=opened,
                    resolved_on=resolved,
                    outcome="Đã giải quyết." if resolved else "",
                    search_text=search_blob(reference, title),
                )
            )
        with transaction.atomic():
            created = Dossier.objects.bulk_create(rows, batch_size=1000)
            parties, tasks = [], []
            for d in created:
                parties.append(
                    DossierParty(dossier_id=d.pk, agency_id=d.lead_agency_id, role=PartyRole.LEAD)
                )
                if rng.random() < 0.85:
                    other = nv if d.lead_agency_id == ca.pk else ca
                    if rng.random() < 0.1:
                        other = bp
                    parties.append(
                        DossierParty(dossier_id=d.pk, agency_id=other.pk, role=PartyRole.SUPPORT)
                    )
                due = d.opened_on + dt.timedelta(days=rng.randint(2, 14))
                done = (
                    None
                    if d.status not in (DossierStatus.RESOLVED, DossierStatus.CLOSED_NO_RESULT)
                    else due + dt.timedelta(days=rng.randint(-5, 3))
                )
                tasks.append(
                    Task(
                        dossier_id=d.pk,
                        category_id=d.category_id,
                        title="Chủ trì xử lý",
                        agency_id=d.lead_agency_id,
                        due_on=due,
                        done_on=done,
                    )
                )
            DossierParty.objects.bulk_create(parties, batch_size=2000)
            Task.objects.bulk_create(tasks, batch_size=2000)
        made_dossiers += n
        say(f"hồ sơ: {made_dossiers}/{dossiers}")

    dossier_ids = list(
        Dossier.objects.filter(reference__startswith=f"{prefix}-")
        .values_list("pk", "opened_on", "category_id")
        .order_by("pk")
    )
    for batch_start in range(0, subjects, BATCH):
        n = min(BATCH, subjects - batch_start)
        people = [_synthetic_person(rng, ca) for _ in range(n)]
        with transaction.atomic():
            created = Subject.objects.bulk_create(people, batch_size=1000)
            SubjectNameKey.objects.bulk_create(
                [row for person in created for row in key_rows(person)], batch_size=5000
            )
            links, verifications = [], []
            for person in created:
                if not dossier_ids:
                    break
                dossier_id, opened, category_id = rng.choice(dossier_ids)
                links.append(
                    DossierSubject(
                        dossier_id=dossier_id,
                        subject_id=person.pk,
                        role=rng.choice(SubjectRole.values),
                    )
                )
                if rng.random() < 0.4:
                    requested = opened + dt.timedelta(days=rng.randint(0, 30))
                    answered = requested + dt.timedelta(days=rng.randint(2, 40))
                    outcome = rng.choices(
                        [
                            VerificationOutcome.IDENTITY_CONFIRMED,
                            VerificationOutcome.RECORD_FOUND,
                            VerificationOutcome.NO_RECORD,
                            VerificationOutcome.NOT_ANSWERED,
                            "",  # still awaiting the answer
                        ],
                        [50, 25, 10, 5, 10],
                    )[0]
                    state = (
                        VerificationState.SENT
                        if not outcome
                        else VerificationState.CLOSED
                        if outcome == VerificationOutcome.NOT_ANSWERED
                        else VerificationState.ANSWERED
                    )
                    verifications.append(
                        Verification(
                            dossier_id=dossier_id,
                            category_id=category_id,
                            subject_id=person.pk,
                            requested_by=ca,
                            requested_of=cn,
                            question="Đề nghị xác minh nhân thân.",
                            requested_on=requested,
                            state=state,
                            answered_on=answered if state == VerificationState.ANSWERED else None,
                            closed_on=None if state == VerificationState.SENT else answered,
                            outcome=outcome,
                        )
                    )
            DossierSubject.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
            Verification.objects.bulk_create(verifications, batch_size=2000)
        made_subjects += n
        say(f"đối tượng: {made_subjects}/{subjects}")

    with transaction.atomic():
        audit_record(
            actor=SYSTEM,
            action="demo.generate",
            object_type="demo.synthetic",
            changes={"dossiers": made_dossiers, "subjects": made_subjects, "seed": seed},
        )
    return {"dossiers": made_dossiers, "subjects": made_subjects}


def _synthetic_person(rng: random.Random, owner: Agency) -> Subject:
    sex = rng.choice([Sex.MALE, Sex.FEMALE])
    if rng.random() < 0.5:
        native = rng.choice(pools.CHINESE_SURNAMES) + rng.choice(
            pools.CHINESE_GIVEN_MALE if sex == Sex.MALE else pools.CHINESE_GIVEN_FEMALE
        )
        full = han_viet_of(native)
        person = Subject(
            full_name=full,
            native_name=native,
            han_viet=full,
            pinyin=pinyin_of(native),
            nationality="CN",
            sex=sex,
        )
    else:
        ethnic = rng.choice(list(pools.VIETNAMESE))
        pool = pools.VIETNAMESE[ethnic]
        middle = pool["male_middle"] if sex == Sex.MALE else pool["female_middle"]
        given = pool["male"] if sex == Sex.MALE else pool["female"]
        full = f"{rng.choice(pool['surnames'])} {rng.choice(middle)} {rng.choice(given)}"
        person = Subject(full_name=full, nationality="VN", ethnicity=ethnic, sex=sex)
    person.birth_year = rng.randint(1950, 2005)
    person.owner_agency = owner
    person.search_text = search_blob(person.full_name, person.native_name, person.pinyin)
    return person
