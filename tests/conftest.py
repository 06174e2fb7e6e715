"""Shared fixtures: a small coordination world, fast password hashing, a private media dir."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test.utils import override_settings

from phoihop.accounts.choices import Role
from phoihop.core.choices import Classification
from phoihop.regulations.choices import CategoryKind, ResponsibilityRole
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    CrimeTypeFactory,
    ForeignAgencyFactory,
    UnitFactory,
    UserFactory,
    clause_with_responsibilities,
    regulation_tree,
)

LEAD_DAYS = 10
SUPPORT_DAYS = 5
VERIFICATION_DAYS = 7


@pytest.fixture(scope="session", autouse=True)
def _fast_and_isolated(tmp_path_factory):
    """Cheap password hashing, and uploaded files and the demo's certificates (written
    under VAR_DIR when the demo loads) kept out of the project's var/."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        VAR_DIR=tmp_path_factory.mktemp("var"),
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a public page cached by an earlier test
    must not answer for data that test changed without going through the services."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db):
    """Two domestic agencies (A, B), a foreign counterpart (F), a small regulation and users.

    Clause 1 of Article 5 (joint criminal cases, border incidents): A leads within
    10 working days, B supports within 5. Clause 2 (verification): A leads with an
    hours-only deadline (no task), B answers within 7 working days.
    """
    a = AgencyFactory(
        code="cat", name="Công an tỉnh Hà Giang", short_name="Công an tỉnh", document_prefix="CAT"
    )
    b = AgencyFactory(
        code="sngv",
        name="Sở Ngoại vụ tỉnh Hà Giang",
        short_name="Sở Ngoại vụ",
        document_prefix="SNgV",
    )
    f = ForeignAgencyFactory(
        code="ca-vanson", name="Cục Công an châu Văn Sơn", short_name="CA Văn Sơn"
    )
    unit_a = UnitFactory(agency=a, code="tham-muu", name="Phòng Tham mưu", is_liaison=True)
    unit_b = UnitFactory(agency=b, code="van-phong", name="Văn phòng Sở", is_liaison=True)

    regulation, article = regulation_tree(parties=[a, b], code="QC-THU")
    clause = clause_with_responsibilities(
        article,
        1,
        [
            {
                "agency": a,
                "role": ResponsibilityRole.LEAD,
                "response_days": LEAD_DAYS,
                "task_title": "Chủ trì điều tra, xác minh",
            },
            {"agency": b, "role": ResponsibilityRole.SUPPORT, "response_days": SUPPORT_DAYS},
        ],
    )
    clause_verification = clause_with_responsibilities(
        article,
        2,
        [
            {
                "agency": a,
                "role": ResponsibilityRole.LEAD,
                "response_days": None,
                "response_hours": 48,
            },
            {"agency": b, "role": ResponsibilityRole.SUPPORT, "response_days": VERIFICATION_DAYS},
        ],
    )
    joint = CategoryFactory(
        regulation=regulation,
        clause=clause,
        code="an-hinh-su",
        name="Vụ án hình sự phối hợp",
        kind=CategoryKind.JOINT_CRIMINAL,
    )
    border = CategoryFactory(
        regulation=regulation,
        clause=clause,
        code="bien-gioi",
        name="Vụ việc biên giới",
        kind=CategoryKind.BORDER_INCIDENT,
    )
    verification = CategoryFactory(
        regulation=regulation,
        clause=clause_verification,
        code="xac-minh",
        name="Xác minh đối tượng",
        kind=CategoryKind.VERIFICATION,
    )
    crime = CrimeTypeFactory(
        code="mua-ban-nguoi", name="Mua bán người", penal_code_article="Điều 119 BLHS 1999"
    )

    officer_a = UserFactory(
        username="a.canbo", agency=a, unit=unit_a, role=Role.OFFICER, clearance=Classification.MAT
    )
    officer_b = UserFactory(
        username="b.canbo", agency=b, unit=unit_b, role=Role.OFFICER, clearance=Classification.MAT
    )
    leader_a = UserFactory(
        username="a.lanhdao",
        agency=a,
        unit=unit_a,
        role=Role.LEADER,
        clearance=Classification.TOI_MAT,
    )
    oversight = UserFactory(
        username="giamsat", agency=a, role=Role.OVERSIGHT, clearance=Classification.TUYET_MAT
    )
    admin = UserFactory(
        username="quantri", agency=a, role=Role.ADMINISTRATOR, clearance=Classification.TUYET_MAT
    )
    secretariat = UserFactory(
        username="thuky", agency=a, unit=unit_a, role=Role.SECRETARIAT, clearance=Classification.MAT
    )
    return SimpleNamespace(
        a=a,
        b=b,
        f=f,
        unit_a=unit_a,
        unit_b=unit_b,
        regulation=regulation,
        article=article,
        clause=clause,
        clause_verification=clause_verification,
        joint=joint,
        border=border,
        verification=verification,
        crime=crime,
        officer_a=officer_a,
        officer_b=officer_b,
        leader_a=leader_a,
        oversight=oversight,
        admin=admin,
        secretariat=secretariat,
    )


@pytest.fixture
def opened_on():
    """A Monday with no holiday in the following weeks."""
    return dt.date(2010, 3, 1)
