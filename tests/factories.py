"""factory_boy factories and small builders for the data-layer tests.

Baseline data always has two domestic agencies and one foreign counterpart
(see the `world` fixture in conftest.py); the factories here make any more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import factory

from phoihop.accounts.choices import AgencyKind, Role
from phoihop.accounts.models import Agency, Unit, User
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.models import Dossier
from phoihop.regulations.choices import CategoryKind, RegulationStatus, ResponsibilityRole
from phoihop.regulations.models import (
    Article,
    Category,
    Chapter,
    Clause,
    CrimeType,
    Regulation,
    Responsibility,
)

TEST_PASSWORD = "mat-khau-thu-nghiem-2011"


class AgencyFactory(factory.django.DjangoModelFactory):
    """A domestic agency (cơ quan trong nước)."""

    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"co-quan-{n}")
    name = factory.Sequence(lambda n: f"Cơ quan số {n}")
    short_name = factory.Sequence(lambda n: f"CQ{n}")
    kind = AgencyKind.DOMESTIC
    country = "VN"
    document_prefix = factory.Sequence(lambda n: f"CQ{n}")


class ForeignAgencyFactory(AgencyFactory):
    """A foreign counterpart (đối tác nước ngoài)."""

    code = factory.Sequence(lambda n: f"doi-tac-{n}")
    name = factory.Sequence(lambda n: f"Cục Công an đối tác số {n}")
    short_name = factory.Sequence(lambda n: f"ĐT{n}")
    name_native = "云南省公安局"
    kind = AgencyKind.FOREIGN
    country = "CN"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"don-vi-{n}")
    name = factory.Sequence(lambda n: f"Phòng nghiệp vụ {n}")
    is_liaison = False


class UserFactory(factory.django.DjangoModelFactory):
    """A user with an agency, a role, a clearance and a usable password."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    first_name = "Thành"
    last_name = "Nguyễn Văn"
    email = factory.LazyAttribute(lambda u: f"{u.username}@phoihop.invalid")
    agency = factory.SubFactory(AgencyFactory)
    unit = None
    role = Role.OFFICER
    clearance = Classification.THUONG
    is_active = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class RegulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regulation
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"QC-{n}")
    title = factory.Sequence(lambda n: f"Quy chế phối hợp số {n}")
    number_symbol = factory.Sequence(lambda n: f"{n}/QCPH")
    status = RegulationStatus.SIGNED
    effective_from = dt.date(2008, 12, 2)

    @factory.post_generation
    def parties(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.parties.set(extracted)


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    regulation = factory.SubFactory(RegulationFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Nội dung phối hợp"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    chapter = factory.SubFactory(ChapterFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Phối hợp điều tra"


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    article = factory.SubFactory(ArticleFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Cơ quan chủ trì thông báo cho cơ quan phối hợp; cơ quan phối hợp trả lời đúng hạn."


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    clause = factory.SubFactory(ClauseFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = ResponsibilityRole.LEAD
    response_days = 5
    response_hours = None
    task_title = ""


class CrimeTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrimeType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"toi-danh-{n}")
    name = factory.Sequence(lambda n: f"Tội danh {n}")
    penal_code_article = "Điều 119 BLHS 1999"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    regulation = factory.LazyAttribute(lambda c: c.clause.article.chapter.regulation)
    clause = factory.SubFactory(ClauseFactory)
    code = factory.Sequence(lambda n: f"linh-vuc-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực phối hợp {n}")
    kind = CategoryKind.OTHER


# --- Regulation tree helpers ---------------------------------------------------------------


def regulation_tree(
    *, parties: Iterable[Agency], code: str | None = None, article_number: int = 5
) -> tuple[Regulation, Article]:
    """A regulation with one chapter and one article, ready for clauses."""
    kwargs = {"code": code} if code else {}
    regulation = RegulationFactory(parties=list(parties), **kwargs)
    chapter = ChapterFactory(regulation=regulation, number=1)
    article = ArticleFactory(chapter=chapter, number=article_number)
    return regulation, article


def clause_with_responsibilities(
    article: Article, number: int, responsibilities: Iterable[dict[str, Any]]
) -> Clause:
    """A clause of `article` with responsibilities given as
    {agency, role, response_days?, response_hours?, task_title?} dicts."""
    clause = ClauseFactory(article=article, number=number)
    for resp in responsibilities:
        ResponsibilityFactory(clause=clause, **resp)
    return clause


# --- Dossiers, opened through the service as the system actor ------------------------------


def open_dossier(
    category: Category,
    lead: Agency,
    *,
    supporting: Iterable[Agency] = (),
    counterpart: Agency | None = None,
    opened_on: dt.date = dt.date(2010, 3, 1),
    title: str = "Vụ mua bán phụ nữ sang Trung Quốc, xã Thanh Thủy, huyện Vị Xuyên",
    **kwargs: Any,
) -> Dossier:
    """Open a dossier through `dossier_open` acting as SYSTEM."""
    return dossier_services.dossier_open(
        actor=SYSTEM,
        category=category,
        title=title,
        lead_agency=lead,
        supporting_agencies=list(supporting),
        counterpart=counterpart,
        opened_on=opened_on,
        **kwargs,
    )


def end_dossier(
    dossier: Dossier,
    status: str = DossierStatus.RESOLVED,
    *,
    on: dt.date,
    outcome: str = "Đã giải quyết dứt điểm, lập biên bản với phía bạn.",
) -> Dossier:
    """Move a dossier to in progress (on its opening day), then end it on `on` as SYSTEM."""
    dossier = dossier_services.dossier_transition(
        actor=SYSTEM, dossier=dossier, status=DossierStatus.IN_PROGRESS, on=dossier.opened_on
    )
    return dossier_services.dossier_transition(
        actor=SYSTEM, dossier=dossier, status=status, on=on, outcome=outcome
    )
