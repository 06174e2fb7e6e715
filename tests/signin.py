"""Signing users in for tests, two-factor included.

`client.force_login` skips the password, the lockout and the TOTP step. Users
who must pass TOTP (leaders, administrators, anyone who enrolled a device)
would then be sent to the code page on every request; `force_login` here also
marks the session as verified with a confirmed device, as the code page does.
"""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from phoihop.accounts import security

BACKEND = "phoihop.accounts.backends.AccountBackend"


def force_login(client, user):
    """Sign `user` in on `client` (a Django or DRF test client), verified when 2FA applies."""
    client.force_login(user, backend=BACKEND)
    if security.is_required(user):
        device = security.confirmed_device(user) or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def totp_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code an authenticator app shows now for `device` (or `offset_steps` later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"
