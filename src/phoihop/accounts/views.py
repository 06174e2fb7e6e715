"""Sign-in, two-factor authentication, the user's security page and the administration of users."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from phoihop.accounts import security, services
from phoihop.accounts.forms import (
    ThrottledPasswordChangeForm,
    TokenForm,
    UserFilterForm,
    UserForm,
)
from phoihop.accounts.models import User
from phoihop.audit.views import ObjectHistoryView
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors

PAGE_SIZE = 50


def _safe_next(request, default=None) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _next_param(request) -> str:
    """The ?next= to carry along, when it is a safe one."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


# --- sign-in and lockout --------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Password sign-in; leaders and administrators then go straight on to the TOTP step."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if security.is_required(user):
            target = (
                "accounts:two-factor"
                if security.confirmed_device(user) is not None
                else "accounts:two-factor-setup"
            )
            return redirect(security.with_next(reverse(target), self.get_success_url()))
        return response


def locked_out(request, original_response=None, credentials=None):
    """The page django-axes answers with (429) while a username+address pair is locked."""
    return render(
        request,
        "accounts/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": security.cooloff_minutes()},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- two-factor authentication --------------------------------------------------------------


def _throttle_message(info) -> str:
    seconds = 1
    locked_until = (info or {}).get("locked_until")
    if locked_until is not None:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    return _("Đã nhập sai nhiều lần; vui lòng thử lại sau %(seconds)d giây.") % {"seconds": seconds}


def _check_code(request, form, device) -> bool:
    """Verify the form's code against `device`; failures count toward django-otp's throttle."""
    if not form.is_valid():
        return False
    allowed, info = device.verify_is_allowed()
    if not allowed:
        form.add_error("code", _throttle_message(info))
        return False
    if verify_token(request.user, device.persistent_id, form.cleaned_data["code"]) is None:
        form.add_error("code", _("Mã xác thực không đúng hoặc đã hết hạn."))
        return False
    return True


def _mark_verified(request, device) -> None:
    device.refresh_from_db()
    otp_login(request, device)
    # A new session key for the newly elevated session.
    request.session.cycle_key()


@method_decorator(never_cache, name="dispatch")
class TwoFactorVerifyView(LoginRequiredMixin, View):
    """The second step of signing in: the 6-digit code from the user's authenticator app."""

    template_name = "accounts/two_factor_verify.html"

    def _device_or_redirect(self, request):
        if security.is_verified(request.user):
            return None, redirect(_safe_next(request))
        device = security.confirmed_device(request.user)
        if device is None:
            url = security.with_next(reverse("accounts:two-factor-setup"), _next_param(request))
            return None, redirect(url)
        return device, None

    def get(self, request):
        _device, response = self._device_or_redirect(request)
        if response is not None:
            return response
        return self._render(request, TokenForm())

    def post(self, request):
        device, response = self._device_or_redirect(request)
        if response is not None:
            return response
        form = TokenForm(request.POST)
        if _check_code(request, form, device):
            _mark_verified(request, device)
            return redirect(_safe_next(request))
        return self._render(request, form)

    def _render(self, request, form):
        return render(request, self.template_name, {"form": form, "next": _next_param(request)})


@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(LoginRequiredMixin, View):
    """Enrol an authenticator app: show the secret, then confirm it with one code."""

    template_name = "accounts/two_factor_setup.html"

    def _already_enrolled(self, request):
        if security.confirmed_device(request.user) is None:
            return None
        if security.is_verified(request.user):
            messages.info(
                request,
                _(
                    "Bạn đã thiết lập xác thực hai lớp; đặt lại thiết bị trước khi đăng ký thiết bị mới."
                ),
            )
            return redirect("accounts:security")
        return redirect(security.with_next(reverse("accounts:two-factor"), _next_param(request)))

    def get(self, request):
        response = self._already_enrolled(request)
        if response is not None:
            return response
        device = security.pending_device(request.user, create=True)
        return self._render(request, TokenForm(), device)

    def post(self, request):
        response = self._already_enrolled(request)
        if response is not None:
            return response
        device = security.pending_device(request.user)
        if device is None:
            return redirect(request.get_full_path())
        form = TokenForm(request.POST)
        if _check_code(request, form, device):
            services.two_factor_enrol(actor=request.user, device=device)
            request.session.pop(security.ENROLLED_KEY, None)
            _mark_verified(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp cho tài khoản của bạn."))
            return redirect(_safe_next(request, default="accounts:security"))
        return self._render(request, form, device)

    def _render(self, request, form, device):
        secret = security.secret_base32(device)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "secret": security.grouped(secret),
                "otpauth_uri": device.config_url,
                "required": request.user.requires_two_factor,
                "next": _next_param(request),
            },
        )


@method_decorator(never_cache, name="dispatch")
class TwoFactorQRView(LoginRequiredMixin, View):
    """The enrolment secret as a QR code (SVG), for the authenticator app to scan.

    A separate response rather than inline markup: the page's Content-Security-Policy
    allows no inline style, and an <img> of an SVG runs nothing. segno is a small
    pure-Python QR encoder with no dependencies; typing 32 characters of base32 on
    a phone is where enrolment usually goes wrong.
    """

    def get(self, request):
        import segno

        if security.confirmed_device(request.user) is not None:
            raise Http404
        device = security.pending_device(request.user)
        if device is None:
            raise Http404
        buffer = io.BytesIO()
        segno.make(device.config_url, error="m").save(
            buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True
        )
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response


# --- the user's own security page -----------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class SecurityView(LoginRequiredMixin, View):
    template_name = "accounts/security.html"

    def get(self, request):
        user = request.user
        device = security.confirmed_device(user)
        return render(
            request,
            self.template_name,
            {
                "device": device,
                "two_factor_required": user.requires_two_factor,
                "has_token": Token.objects.filter(user_id=user.pk).exists(),
                "idle_minutes": settings.PHOIHOP_IDLE_MINUTES,
                "session_hours": settings.SESSION_COOKIE_AGE // 3600,
                "full_name": services.full_name_of(user),
            },
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (checked by the password policy); this session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            # Too many wrong old passwords: end this session, as a stolen one might be.
            logout(self.request)
            return locked_out(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(actor=form.user)
        messages.success(
            request=self.request,
            message=_("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."),
        )
        return response


class SessionsRevokeView(LoginRequiredMixin, View):
    """Sign out of every other session and delete the user's API tokens."""

    def post(self, request):
        user = services.sessions_revoke(actor=request.user)
        update_session_auth_hash(request, user)
        messages.success(
            request,
            _("Đã đăng xuất khỏi mọi phiên khác và thu hồi token API. Phiên này vẫn tiếp tục."),
        )
        return redirect("accounts:security")


class TwoFactorResetOwnView(LoginRequiredMixin, View):
    """Remove one's own TOTP device (a lost or replaced phone); enrol again afterwards."""

    def post(self, request):
        services.two_factor_reset(actor=request.user, user=request.user)
        request.session.pop(security.ENROLLED_KEY, None)
        messages.success(request, _("Đã xóa thiết bị xác thực. Hãy thiết lập lại."))
        return redirect("accounts:two-factor-setup")


# --- administration of users ----------------------------------------------------------------


class AdministratorRequiredMixin(LoginRequiredMixin):
    """Administrators only; for anyone else these pages do not exist (404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not services.is_administrator(request.user):
            raise policy.NotFound
        return super().dispatch(request, *args, **kwargs)


def _user_or_404(request, pk) -> User:
    return policy.get_or_404(
        User.objects.select_related("agency", "unit"), request.user, policy.CHANGE, pk=pk
    )


class UserListView(AdministratorRequiredMixin, View):
    def get(self, request):
        form = UserFilterForm(request.GET or None)
        users = policy.restrict(User.objects.all(), request.user).select_related("agency", "unit")
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            for word in data["q"].split():
                users = users.filter(
                    Q(username__icontains=word)
                    | Q(first_name__icontains=word)
                    | Q(last_name__icontains=word)
                )
            if data["agency"]:
                users = users.filter(agency=data["agency"])
            if data["role"]:
                users = users.filter(role=data["role"])
        users = users.annotate(
            has_two_factor=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        ).order_by("username")
        page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
        locked = security.locked_usernames(u.username for u in page)
        rows = [
            {"user": u, "full_name": services.full_name_of(u), "locked": u.username in locked}
            for u in page
        ]
        return render(
            request,
            "accounts/user_list.html",
            {"form": form, "page_obj": page, "rows": rows, "count": page.paginator.count},
        )


class UserCreateView(AdministratorRequiredMixin, View):
    template_name = "accounts/user_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": UserForm(), "creating": True})

    def post(self, request):
        form = UserForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            data.pop("password_confirm")
            try:
                user = services.user_create(actor=request.user, **data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã tạo tài khoản %(username)s.") % {"username": user.username},
                )
                return redirect("accounts:user-edit", pk=user.pk)
        return render(request, self.template_name, {"form": form, "creating": True})


class UserEditView(AdministratorRequiredMixin, View):
    template_name = "accounts/user_form.html"

    def _form(self, request, user, data=None):
        initial = {
            "username": user.username,
            "full_name": services.full_name_of(user),
            "email": user.email,
            "agency": user.agency_id,
            "unit": user.unit_id,
            "role": user.role,
            "clearance": user.clearance,
            "position": user.position,
            "is_active": user.is_active,
        }
        return UserForm(
            data, initial=initial, editing=user, protect_self=user.pk == request.user.pk
        )

    def _render(self, request, user, form):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "creating": False,
                "account": user,
                "device": security.confirmed_device(user),
                "locked": bool(security.locked_usernames([user.username])),
                "is_self": user.pk == request.user.pk,
            },
        )

    def get(self, request, pk):
        user = _user_or_404(request, pk)
        return self._render(request, user, self._form(request, user))

    def post(self, request, pk):
        user = _user_or_404(request, pk)
        form = self._form(request, user, request.POST)
        if form.is_valid():
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in services.EDITABLE_FIELDS and not form.fields[name].disabled
            }
            if not form.cleaned_data.get("password"):
                changes.pop("password", None)
            try:
                services.user_update(actor=request.user, user=user, **changes)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu tài khoản."))
                return redirect("accounts:user-edit", pk=user.pk)
        return self._render(request, user, form)


class UserResetTwoFactorView(AdministratorRequiredMixin, View):
    def post(self, request, pk):
        user = _user_or_404(request, pk)
        services.two_factor_reset(actor=request.user, user=user)
        messages.success(
            request,
            _(
                "Đã xóa thiết bị xác thực của %(username)s; người này sẽ thiết lập lại khi đăng nhập."
            )
            % {"username": user.username},
        )
        return redirect("accounts:user-edit", pk=user.pk)


class UserUnlockView(AdministratorRequiredMixin, View):
    def post(self, request, pk):
        user = _user_or_404(request, pk)
        services.user_unlock(actor=request.user, user=user)
        messages.success(
            request, _("Đã mở khóa đăng nhập cho %(username)s.") % {"username": user.username}
        )
        return redirect("accounts:user-edit", pk=user.pk)


class UserHistoryView(AdministratorRequiredMixin, ObjectHistoryView):
    """An account's audited changes (role, clearance, agency, 2FA, sessions): administrators."""

    model = User
