"""Changes to accounts: users, their sessions, their two-factor devices, their lockout;
agencies (added here; merged or renamed in `accounts.succession`).

Each runs in a transaction and writes an audit event with the field-level
before/after; a password or its hash never enters an event. Creating and
editing users, resetting someone else's two-factor device and lifting a
lockout are for administrators only: anyone else gets NotFound, as for
anything they may not see, even when calling the service directly. Nobody
changes their own agency, unit, role, clearance or active state.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from phoihop.accounts.choices import CASEWORK_ROLES, AgencyKind, Role
from phoihop.accounts.models import Agency, Unit, User
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc

# What an account event records, before and after (never the password).
AUDIT_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "agency",
    "unit",
    "role",
    "clearance",
    "position",
    "is_active",
]
# What an administrator may edit with user_update.
EDITABLE_FIELDS = frozenset(
    {
        "username",
        "full_name",
        "email",
        "agency",
        "unit",
        "role",
        "clearance",
        "position",
        "is_active",
        "password",
    }
)
# What nobody may change on their own account.
SELF_PROTECTED_FIELDS = ("agency", "unit", "role", "clearance", "is_active")


def is_administrator(actor) -> bool:
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and getattr(actor, "role", None) == Role.ADMINISTRATOR
    )


def require_administrator(actor) -> None:
    """NotFound unless `actor` administers accounts (or is the system)."""
    if not is_administrator(actor):
        raise policy.NotFound


def split_full_name(full_name: str) -> tuple[str, str]:
    """'Hoàng Minh Khải' → ('Hoàng Minh', 'Khải'): family and middle names, given name."""
    words = nfc(full_name).split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]


def full_name_of(user: User) -> str:
    """The name in Vietnamese order: family and middle names, then the given name."""
    return user.get_full_name()


def _check_password(password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError({field: exc.messages}) from exc


def _check_username(username: str, exclude_pk=None) -> None:
    if not username:
        raise ServiceError({"username": _("Cần nhập tên đăng nhập.")})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ServiceError({"username": exc.messages}) from exc
    taken = User.objects.filter(username__iexact=username)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ServiceError({"username": _("Tên đăng nhập này đã có người dùng.")})


def _check_assignment(user: User) -> None:
    """Agency, unit, role and clearance that fit together."""
    errors: dict[str, str] = {}
    if user.role not in Role.values:
        errors["role"] = _("Vai trò không hợp lệ.")
    if user.clearance not in Classification.values:
        errors["clearance"] = _("Cấp độ tiếp cận không hợp lệ.")
    agency = user.agency
    if agency is not None and agency.kind != AgencyKind.DOMESTIC:
        errors["agency"] = _("Người dùng phải thuộc một cơ quan trong nước.")
    # newsroom: an editor writes the news of an agency, so needs one like casework roles.
    if agency is None and (user.role in CASEWORK_ROLES or user.role == Role.EDITOR):
        errors["agency"] = _("Vai trò này cần một cơ quan.")
    if user.unit is not None and (agency is None or user.unit.agency_id != agency.pk):
        errors["unit"] = _("Đơn vị phải thuộc cơ quan đã chọn.")
    if errors:
        raise ServiceError(errors)


def _revoke_tokens(user: User) -> int:
    deleted, _detail = Token.objects.filter(user_id=user.pk).delete()
    return deleted


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    full_name: str,
    password: str,
    role: str = Role.OFFICER,
    clearance: int = Classification.THUONG,
    agency: Agency | None = None,
    unit: Unit | None = None,
    email: str = "",
    position: str = "",
    is_active: bool = True,
) -> User:
    """Create an account with an initial password that passes the password policy."""
    require_administrator(actor)
    username = nfc(username)
    _check_username(username)
    last_name, first_name = split_full_name(full_name)
    if not first_name:
        raise ServiceError({"full_name": _("Cần nhập họ và tên.")})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=nfc(email),
        agency=agency,
        unit=unit,
        role=role,
        clearance=clearance,
        position=nfc(position),
        is_active=is_active,
    )
    _check_assignment(user)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="account.user_create",
        obj=user,
        changes=diff({}, snapshot(user, AUDIT_FIELDS)),
    )
    return user


@transaction.atomic
def user_update(*, actor, user: User, **fields: Any) -> User:
    """Change an account's details, assignment, active state or password (administrators)."""
    require_administrator(actor)
    user = policy.get_or_404(User.objects.select_for_update(), actor, policy.CHANGE, pk=user.pk)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ServiceError({f: _("Không được sửa trường này.") for f in sorted(unknown)})
    if not policy.is_system(actor) and actor.pk == user.pk:
        own = {
            f: _("Không ai được tự thay đổi trường này của chính mình.")
            for f in SELF_PROTECTED_FIELDS
            if f in fields and _current(user, f) != _key(fields[f])
        }
        if own:
            raise ServiceError(own)
    before = snapshot(user, AUDIT_FIELDS)
    password = fields.pop("password", None)
    if "username" in fields:
        fields["username"] = nfc(fields["username"])
        _check_username(fields["username"], exclude_pk=user.pk)
    if "full_name" in fields:
        last_name, first_name = split_full_name(fields.pop("full_name"))
        if not first_name:
            raise ServiceError({"full_name": _("Cần nhập họ và tên.")})
        fields["last_name"], fields["first_name"] = last_name, first_name
    for name, value in fields.items():
        setattr(user, name, nfc(value) if isinstance(value, str) else value)
    _check_assignment(user)
    if password:
        _check_password(password, user)
        user.set_password(password)
    changes = diff(before, snapshot(user, AUDIT_FIELDS))
    if password:
        # Only that it changed; a new password also ends the user's other sessions.
        changes["password"] = [None, "changed"]
    if password or not user.is_active:
        revoked = _revoke_tokens(user)
        if revoked:
            changes["api_tokens"] = [revoked, 0]
    if changes:
        user.save()
        audit_record(actor=actor, action="account.user_update", obj=user, changes=changes)
    return user


def _current(user: User, field: str):
    return getattr(user, f"{field}_id") if field in ("agency", "unit") else getattr(user, field)


def _key(value):
    return getattr(value, "pk", value)


@transaction.atomic
def user_unlock(*, actor, user: User) -> int:
    """Lift a sign-in lockout: forget the failed attempts for this username from every address."""
    from axes.utils import reset

    require_administrator(actor)
    user = policy.get_or_404(User.objects.all(), actor, policy.CHANGE, pk=user.pk)
    cleared = reset(username=user.username)
    audit_record(
        actor=actor,
        action="account.unlock",
        obj=user,
        changes={"failed_attempt_records": [cleared, 0]},
    )
    return cleared


@transaction.atomic
def two_factor_reset(*, actor, user: User) -> int:
    """Remove a user's TOTP devices: the user enrols again at the next sign-in.

    Users may reset their own; an administrator anyone's.
    """
    if not (policy.is_active_user(actor) and actor.pk == user.pk):
        require_administrator(actor)
        user = policy.get_or_404(User.objects.all(), actor, policy.CHANGE, pk=user.pk)
    removed, _detail = TOTPDevice.objects.filter(user_id=user.pk).delete()
    audit_record(
        actor=actor,
        action="account.two_factor_reset",
        obj=user,
        changes={"totp_devices": [removed, 0]},
    )
    return removed


@transaction.atomic
def two_factor_enrol(*, actor, device: TOTPDevice) -> TOTPDevice:
    """Confirm the device the user just proved with a code; it replaces any other."""
    if not policy.is_active_user(actor) or device.user_id != actor.pk:
        raise policy.NotFound
    TOTPDevice.objects.filter(user_id=actor.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=actor,
        action="account.two_factor_enrol",
        obj=actor,
        changes={"totp_device": [None, device.pk]},
    )
    return device


@transaction.atomic
def sessions_revoke(*, actor) -> User:
    """End every session of `actor` (the caller keeps theirs by re-hashing it) and API tokens."""
    if not policy.is_active_user(actor) or policy.is_system(actor):
        raise policy.NotFound
    User.objects.filter(pk=actor.pk).update(session_generation=F("session_generation") + 1)
    before = actor.session_generation
    actor.refresh_from_db(fields=["session_generation"])
    revoked = _revoke_tokens(actor)
    audit_record(
        actor=actor,
        action="account.sessions_revoked",
        obj=actor,
        changes={
            "session_generation": [before, actor.session_generation],
            "api_tokens": [revoked, 0],
        },
    )
    return actor


@transaction.atomic
def password_changed(*, actor) -> None:
    """Record that a user changed their own password (the form has saved it)."""
    audit_record(
        actor=actor,
        action="account.password_change",
        obj=actor,
        changes={"password": [None, "changed"]},
    )


# What an agency event records.
AGENCY_FIELDS = [
    "code",
    "name",
    "short_name",
    "name_native",
    "kind",
    "country",
    "document_prefix",
    "head_title",
]


@transaction.atomic
def agency_create(
    *,
    actor,
    code: str,
    name: str,
    short_name: str,
    kind: str = AgencyKind.DOMESTIC,
    country: str = "",
    name_native: str = "",
    document_prefix: str = "",
    head_title: str = "",
) -> Agency:
    """Add an agency: a new one of a merger, or a foreign counterpart (administrators)."""
    from django.core.validators import validate_slug

    require_administrator(actor)
    code = nfc(code).strip()
    country = (nfc(country).strip() or ("VN" if kind == AgencyKind.DOMESTIC else "")).upper()
    errors: dict[str, str] = {}
    try:
        validate_slug(code)
    except ValidationError:
        errors["code"] = _("Mã chỉ gồm chữ không dấu, số, gạch ngang và gạch dưới.")
    else:
        if len(code) > 32:
            errors["code"] = _("Mã dài tối đa 32 ký tự.")
        elif Agency.objects.filter(code__iexact=code).exists():
            errors["code"] = _("Mã “%(code)s” đã có cơ quan dùng.") % {"code": code}
    if not nfc(name).strip():
        errors["name"] = _("Cần nhập tên cơ quan.")
    if not nfc(short_name).strip():
        errors["short_name"] = _("Cần nhập tên viết tắt.")
    if kind not in AgencyKind.values:
        errors["kind"] = _("Loại cơ quan không hợp lệ.")
    if len(country) != 2 or not country.isalpha():
        errors["country"] = _("Quốc gia là mã ISO hai chữ cái, ví dụ VN, CN.")
    elif kind == AgencyKind.DOMESTIC and country != "VN":
        errors["country"] = _("Cơ quan trong nước có quốc gia VN.")
    if errors:
        raise ServiceError(errors)
    agency = Agency.objects.create(
        code=code,
        name=nfc(name).strip(),
        short_name=nfc(short_name).strip(),
        name_native=nfc(name_native).strip(),
        kind=kind,
        country=country,
        document_prefix=nfc(document_prefix).strip(),
        head_title=nfc(head_title).strip(),
    )
    audit_record(
        actor=actor,
        action="account.agency_create",
        obj=agency,
        changes=diff({}, snapshot(agency, AGENCY_FIELDS)),
    )
    return agency
