"""Session expiry (absolute and idle) and the two-factor gate.

Both run after AuthenticationMiddleware, django-otp's OTPMiddleware and the
messages middleware (see MIDDLEWARE in settings).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from phoihop.accounts import security

# Session keys: when the user signed in, and when the session was last used (epoch seconds).
SIGNED_IN_AT = "phoihop_signed_in_at"
LAST_SEEN_AT = "phoihop_last_seen_at"
# The last-seen stamp is written at most this often, so an active session costs
# one session save a minute, not one a request.
TOUCH_SECONDS = 60


def stamp_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: start both clocks."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN_AT] = now
        session.pop(security.ENROLLED_KEY, None)


class SessionTimeoutMiddleware:
    """Sign out a session idle for PHOIHOP_IDLE_MINUTES, or older than SESSION_COOKIE_AGE.

    Saving the session on use would push Django's own expiry forward, so the
    absolute limit is counted here from the sign-in time kept in the session.
    The request then goes on as anonymous: pages send it to the sign-in page,
    where the message says why; the API answers 401/403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            self._check(request, session)
        return self.get_response(request)

    @staticmethod
    def _check(request, session) -> None:
        now = int(time.time())
        signed_in = session.get(SIGNED_IN_AT)
        seen = session.get(LAST_SEEN_AT)
        idle_limit = settings.PHOIHOP_IDLE_MINUTES * 60
        if signed_in is None:  # a session opened before the stamps existed
            signed_in = session[SIGNED_IN_AT] = now
        if now - signed_in > settings.SESSION_COOKIE_AGE:
            message = _("Phiên làm việc đã quá %(hours)d giờ kể từ khi đăng nhập.") % {
                "hours": settings.SESSION_COOKIE_AGE // 3600
            }
        elif idle_limit > 0 and seen is not None and now - seen > idle_limit:
            message = _("Phiên làm việc đã hết hạn do không hoạt động quá %(minutes)d phút.") % {
                "minutes": settings.PHOIHOP_IDLE_MINUTES
            }
        else:
            if seen is None or now - seen >= TOUCH_SECONDS:
                session[LAST_SEEN_AT] = now
            return
        logout(request)
        messages.info(request, message + " " + _("Vui lòng đăng nhập lại."))


class TwoFactorMiddleware:
    """A signed-in user who must pass TOTP and has not yet may only finish it or sign out.

    Pages redirect to the code page (or the enrolment page when the user has
    no device yet), keeping ?next=; the API answers 403. Static files and the
    language switch stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None
        self._api_prefix: str | None = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._is_open(request.path)
            and security.needs_verification(user, getattr(request, "session", None))
        ):
            return self._refuse(request, user)
        return self.get_response(request)

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = (
                reverse("accounts:two-factor"),
                reverse("accounts:two-factor-setup"),
                reverse("accounts:two-factor-qr"),
                reverse("accounts:logout"),
                reverse("set_language"),
            )
            self._api_prefix = reverse("api-root")
        if path in self._open_paths:
            return True
        return bool(settings.STATIC_URL) and path.startswith(settings.STATIC_URL)

    def _refuse(self, request, user):
        if request.path.startswith(self._api_prefix or "/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "Tài khoản này phải xác thực hai lớp: nhập mã xác thực trên trang web "
                        "trước khi dùng API bằng phiên đăng nhập."
                    )
                },
                status=403,
            )
        if security.confirmed_device(user) is None:
            target = reverse("accounts:two-factor-setup")
        else:
            target = reverse("accounts:two-factor")
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else None
        url = security.with_next(target, next_url)
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
