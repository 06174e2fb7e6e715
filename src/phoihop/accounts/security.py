"""Two-factor authentication (TOTP, django-otp) and sign-in lockout (django-axes): read side.

Leaders and administrators must pass TOTP after the password; any other user
who enrols a device by choice must pass it too, or the device would protect
nothing. The changes (enrolment, reset, unlock) are in `services`.
"""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "phoihop"


def confirmed_device(user) -> TOTPDevice | None:
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def pending_device(user, *, create: bool = False) -> TOTPDevice | None:
    """The device being enrolled (not yet confirmed by a code), created on demand."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
    if device is None and create:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


# Whether a user outside the 2FA roles enrolled a device by choice, kept in the
# session so that an officer's request does not pay a query to find out.
ENROLLED_KEY = "phoihop.two_factor_enrolled"


def is_required(user, session=None) -> bool:
    """Whether `user` must pass TOTP: by role, or because they enrolled a device."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_system", False):
        return False
    if getattr(user, "requires_two_factor", False):
        return True
    if session is not None and ENROLLED_KEY in session:
        return session[ENROLLED_KEY]
    enrolled = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
    if session is not None:
        session[ENROLLED_KEY] = enrolled
    return enrolled


def is_verified(user) -> bool:
    """Whether this session's user passed TOTP (set by django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def needs_verification(user, session=None) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and is_required(user, session)
        and not is_verified(user)
    )


def secret_base32(device: TOTPDevice) -> str:
    """The shared secret as authenticator apps take it when typed in."""
    return b32encode(device.bin_key).decode()


def grouped(secret: str, size: int = 4) -> str:
    """'ABCDEFGH…' → 'ABCD EFGH …', easier to read out and type."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# --- lockout --------------------------------------------------------------------------------


def locked_usernames(usernames=None) -> dict[str, int]:
    """Usernames locked out from at least one address now, with the number of such addresses."""
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )
    if usernames is not None:
        attempts = attempts.filter(username__in=list(usernames))
    locked: dict[str, int] = {}
    for username in attempts.values_list("username", flat=True):
        locked[username] = locked.get(username, 0) + 1
    return locked


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
