"""Throttles of the public side, counted in the database so that every process agrees.

* Comments: at most N per address and per e-mail in each window (several windows:
  a burst limit and a daily one), counted over the Comment rows themselves.
* Moderators' sign-in: after repeated failures for one username from one address
  (or many from one address, whatever the username) sign-in is refused for a
  while; counted over the "login_failed" moderation events.

Settings (with their defaults):
  PHOIHOP_BULLETIN_COMMENT_RATES     [(600, 3), (86400, 20)]  (seconds, most comments)
  PHOIHOP_BULLETIN_LOGIN_FAILURES    5   failures of one username from one address
  PHOIHOP_BULLETIN_LOGIN_ADDRESS_FAILURES 20  failures from one address, any username
  PHOIHOP_BULLETIN_LOGIN_LOCKOUT_MINUTES 15
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from phoihop.bulletin.models import Comment, ModerationEvent
from phoihop.core.context import client_ip

DEFAULT_COMMENT_RATES = ((600, 3), (86400, 20))

LOGIN = "login"
LOGIN_FAILED = "login_failed"


def comment_rates() -> list[tuple[int, int]]:
    """(window in seconds, most comments in it), shortest window first."""
    rates = getattr(settings, "PHOIHOP_BULLETIN_COMMENT_RATES", DEFAULT_COMMENT_RATES)
    return sorted((int(seconds), int(most)) for seconds, most in rates)


def serialise(*keys: str) -> None:
    """Make concurrent submissions with the same keys wait for each other.

    Called inside the transaction that counts and then saves: on PostgreSQL a
    transaction-scoped advisory lock per key (taken in a fixed order, so two
    submissions cannot deadlock); SQLite runs its write transactions one at a time
    already (transaction_mode IMMEDIATE).
    """
    if connection.vendor != "postgresql":
        return
    ids = sorted(
        {
            int.from_bytes(
                hashlib.sha256(f"bulletin:{k}".encode()).digest()[:8], "big", signed=True
            )
            for k in keys
            if k
        }
    )
    with connection.cursor() as cursor:
        for lock_id in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def reader_address(request) -> str | None:
    """The address limits, blocks and reports count by: the client's IPv4 address, or the
    /64 network of an IPv6 one (one subscriber holds a whole /64 and could otherwise
    change address at will)."""
    address = client_ip(request)
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def comment_limit_reached(*, address: str | None, email: str, now=None) -> int | None:
    """Seconds to wait when this address or e-mail has sent its share of comments, else None.

    Every comment a reader sent counts, whatever became of it (spam included); the
    agency's answers do not.
    """
    now = now or timezone.now()
    rates = comment_rates()
    if not rates or not (address or email):
        return None
    longest = max(seconds for seconds, _ in rates)
    who = Q()
    if address:
        who |= Q(address=address)
    if email:
        who |= Q(email__iexact=email)
    times = list(
        Comment.objects.filter(
            who, official=False, created_at__gte=now - dt.timedelta(seconds=longest)
        )
        .order_by("-created_at")
        .values_list("created_at", "address", "email")
    )
    email_key = email.casefold()
    for seconds, most in rates:
        since = now - dt.timedelta(seconds=seconds)
        for matches in (
            (lambda a, e: bool(address) and a == address),
            (lambda a, e: bool(email) and e.casefold() == email_key),
        ):
            recent = [t for t, a, e in times if t >= since and matches(a, e)]
            if len(recent) >= most:
                # The oldest of the last `most` leaves the window first.
                oldest = sorted(recent, reverse=True)[most - 1]
                return max(1, int((oldest + dt.timedelta(seconds=seconds) - now).total_seconds()))
    return None


# --- moderators' sign-in ------------------------------------------------------------------------


def _lockout_window() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "PHOIHOP_BULLETIN_LOGIN_LOCKOUT_MINUTES", 15))


def login_locked(*, username: str, address: str, now=None) -> bool:
    """True when sign-in is refused for this username from this address, for now.

    Failures count within the lockout window and, for one username, only since its
    last successful sign-in from the same address.
    """
    now = now or timezone.now()
    since = now - _lockout_window()
    events = ModerationEvent.objects.filter(created_at__gte=since, detail__address=address)
    per_address = getattr(settings, "PHOIHOP_BULLETIN_LOGIN_ADDRESS_FAILURES", 20)
    if events.filter(action=LOGIN_FAILED).count() >= per_address:
        return True
    # One account guessed from many addresses: locked whatever the address.
    everywhere = ModerationEvent.objects.filter(
        created_at__gte=since, action=LOGIN_FAILED, detail__username=username
    )
    if everywhere.count() >= per_address:
        return True
    pair = events.filter(detail__username=username)
    last_success = (
        pair.filter(action=LOGIN)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    failures = pair.filter(action=LOGIN_FAILED)
    if last_success is not None:
        failures = failures.filter(created_at__gt=last_success)
    return failures.count() >= getattr(settings, "PHOIHOP_BULLETIN_LOGIN_FAILURES", 5)


def lockout_minutes() -> int:
    return int(_lockout_window().total_seconds() // 60)
