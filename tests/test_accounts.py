"""Signing in: lockout after repeated failures, two-factor authentication, session expiry,
signing out of every session, and the password policy on one's own password."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from phoihop.accounts import services
from phoihop.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from phoihop.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.signin import BACKEND, force_login, totp_code

LOGIN = reverse("accounts:login")
TWO_FACTOR = reverse("accounts:two-factor")
SETUP = reverse("accounts:two-factor-setup")
DASHBOARD = reverse("core:dashboard")


def sign_in(client, username, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def page(response) -> str:
    return response.content.decode()


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phoihop", confirmed=True)


# --- lockout ----------------------------------------------------------------------------------


def test_the_sixth_attempt_is_locked_out_even_with_the_right_password(client, world):
    username = world.officer_a.username
    for _attempt in range(4):
        response = sign_in(client, username, "mat-khau-sai")
        assert response.status_code == 200
        assert "Có lỗi cần sửa" in page(response)
    fifth = sign_in(client, username, "mat-khau-sai")
    assert fifth.status_code == 429
    sixth = sign_in(client, username, TEST_PASSWORD)
    assert sixth.status_code == 429
    assert not signed_in(client)
    body = page(sixth)
    assert "Tạm khóa đăng nhập" in body
    assert "5 lần" in body
    assert "15 phút" in body


def _lock_out(client, username):
    for _attempt in range(5):
        sign_in(client, username, "mat-khau-sai")
    assert sign_in(client, username).status_code == 429


def test_the_lockout_is_for_that_username_from_that_address(client, world):
    _lock_out(client, world.officer_a.username)
    assert sign_in(Client(), world.officer_b.username).status_code == 302
    other_address = Client(REMOTE_ADDR="127.0.0.2")
    assert sign_in(other_address, world.officer_a.username).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, world):
    _lock_out(client, world.officer_a.username)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = sign_in(client, world.officer_a.username)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_clears_the_failures(client, world):
    username = world.officer_a.username
    for _attempt in range(4):
        sign_in(client, username, "mat-khau-sai")
    assert sign_in(client, username).status_code == 302
    client.logout()
    for _attempt in range(4):
        assert sign_in(client, username, "mat-khau-sai").status_code == 200
    assert sign_in(client, username).status_code == 302


def test_an_administrator_unlocks_a_locked_out_user(client, world):
    _lock_out(client, world.officer_a.username)
    admin = force_login(Client(), world.admin)
    response = admin.post(reverse("accounts:user-unlock", args=[world.officer_a.pk]))
    assert response.status_code == 302
    assert sign_in(client, world.officer_a.username).status_code == 302
    event = AuditEvent.objects.get(action="account.unlock")
    assert event.actor_id == world.admin.pk
    assert event.object_id == str(world.officer_a.pk)


def test_drf_token_authentication_is_not_affected_by_axes(world):
    token = Token.objects.create(user=world.officer_a)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("dossier-list")).status_code == 200


# --- two-factor authentication ----------------------------------------------------------------


def test_a_leader_signing_in_with_a_password_is_sent_to_the_code_page(client, world):
    device_for(world.leader_a)
    response = sign_in(client, world.leader_a.username)
    assert response.status_code == 302
    assert response["Location"] == f"{TWO_FACTOR}?next=%2F"
    # signed in with the password, but nothing else until the code
    assert signed_in(client)
    for url in (DASHBOARD, reverse("dossiers:list"), reverse("accounts:security")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{TWO_FACTOR}?next="), url
    page_response = client.get(TWO_FACTOR + "?next=/")
    assert page_response.status_code == 200
    assert "Mã xác thực" in page(page_response)


def test_a_wrong_code_is_refused_and_the_right_one_reaches_the_dashboard(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait between the two attempts
    device = device_for(world.leader_a)
    sign_in(client, world.leader_a.username)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(TWO_FACTOR, {"code": wrong, "next": "/"})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in page(response)
    assert client.get(DASHBOARD).status_code == 302
    response = client.post(TWO_FACTOR, {"code": right, "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get(DASHBOARD).status_code == 200


def test_failed_codes_count_and_throttle_the_next_attempt(client, world):
    device = device_for(world.leader_a)
    sign_in(client, world.leader_a.username)
    right = totp_code(device)
    client.post(TWO_FACTOR, {"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    response = client.post(TWO_FACTOR, {"code": right})
    assert response.status_code == 200
    assert "thử lại sau" in page(response)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get(DASHBOARD).status_code == 302


def test_a_code_is_accepted_only_once(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = device_for(world.leader_a)
    code = totp_code(device)
    first, second = Client(), Client()
    sign_in(first, world.leader_a.username)
    assert first.post(TWO_FACTOR, {"code": code}).status_code == 302
    sign_in(second, world.leader_a.username)
    assert second.post(TWO_FACTOR, {"code": code}).status_code == 200


def test_the_requested_page_is_kept_through_the_code_page(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = device_for(world.leader_a)
    sign_in(client, world.leader_a.username)
    response = client.get(reverse("dossiers:list") + "?q=dong")
    assert response["Location"] == f"{TWO_FACTOR}?next=%2Fdossiers%2F%3Fq%3Ddong"
    response = client.post(TWO_FACTOR, {"code": totp_code(device), "next": "/dossiers/?q=dong"})
    assert response["Location"] == "/dossiers/?q=dong"


def test_next_cannot_leave_the_site(client, world):
    device = device_for(world.leader_a)
    sign_in(client, world.leader_a.username)
    response = client.post(
        TWO_FACTOR, {"code": totp_code(device), "next": "https://example.invalid/"}
    )
    assert response["Location"] == "/"


def test_an_administrator_must_pass_two_factor_too(client, world):
    device_for(world.admin)
    response = sign_in(client, world.admin.username)
    assert response["Location"].startswith(TWO_FACTOR)
    assert client.get(reverse("accounts:user-list")).status_code == 302


def test_a_leader_without_a_device_enrols_then_reaches_the_dashboard(client, world):
    response = sign_in(client, world.leader_a.username)
    assert response["Location"] == f"{SETUP}?next=%2F"
    assert client.get(TWO_FACTOR)["Location"] == SETUP
    response = client.get(SETUP + "?next=/")
    assert response.status_code == 200
    body = page(response)
    device = TOTPDevice.objects.get(user=world.leader_a)
    assert not device.confirmed
    from phoihop.accounts.security import secret_base32

    secret = secret_base32(device)
    assert secret[:4] in body
    assert "otpauth://totp/phoihop%3Aa.lanhdao?secret=" + secret in body
    qr = client.get(reverse("accounts:two-factor-qr"))
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    assert b"<script" not in qr.content
    response = client.post(SETUP, {"code": totp_code(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(DASHBOARD).status_code == 200
    event = AuditEvent.objects.get(action="account.two_factor_enrol")
    assert event.actor_id == world.leader_a.pk
    assert secret not in json.dumps(event.changes)
    assert device.key not in json.dumps(event.changes)
    # once enrolled, the enrolment page does not hand out a new secret
    assert client.get(SETUP).status_code == 302
    assert client.get(reverse("accounts:two-factor-qr")).status_code == 404


def test_a_wrong_code_does_not_confirm_an_enrolment(client, world):
    sign_in(client, world.leader_a.username)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=world.leader_a, confirmed=True).exists()
    assert client.get(DASHBOARD).status_code == 302


def test_an_unverified_leader_may_still_sign_out_switch_language_and_load_static(client, world):
    device_for(world.leader_a)
    sign_in(client, world.leader_a.username)
    response = client.post(reverse("set_language"), {"language": "en", "next": TWO_FACTOR})
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR
    response = client.get("/static/phoihop/phoihop.css")
    assert response.status_code != 302
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not signed_in(client)


def test_the_api_refuses_an_unverified_leader_session_with_403(world):
    device_for(world.leader_a)
    api = APIClient()
    api.force_login(world.leader_a, backend=BACKEND)
    response = api.get(reverse("dossier-list"))
    assert response.status_code == 403
    assert "xác thực hai lớp" in response.json()["detail"]
    force_login(api, world.leader_a)
    assert api.get(reverse("dossier-list")).status_code == 200


def test_an_officer_does_not_need_two_factor(client, world):
    response = sign_in(client, world.officer_a.username)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get(DASHBOARD).status_code == 200
    assert client.get(reverse("dossier-list")).status_code == 200


def test_an_officer_who_enrolled_by_choice_must_pass_it_too(client, world):
    device_for(world.officer_a)
    response = sign_in(client, world.officer_a.username)
    assert response["Location"].startswith(TWO_FACTOR)
    assert client.get(DASHBOARD).status_code == 302


def test_a_user_resets_their_own_device_and_must_enrol_again(client, world):
    device_for(world.leader_a)
    force_login(client, world.leader_a)
    assert client.get(DASHBOARD).status_code == 200
    response = client.post(reverse("accounts:two-factor-reset"))
    assert response["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=world.leader_a).exists()
    assert client.get(DASHBOARD)["Location"].startswith(SETUP)
    assert AuditEvent.objects.filter(action="account.two_factor_reset").count() == 1


# --- session expiry ---------------------------------------------------------------------------


def _age_session(client, **stamps):
    session = client.session
    for key, seconds_ago in stamps.items():
        session[key] = int(time.time()) - seconds_ago
    session.save()


def test_an_idle_session_is_signed_out(client, world, settings):
    settings.PHOIHOP_IDLE_MINUTES = 30
    force_login(client, world.officer_a)
    assert client.get(DASHBOARD).status_code == 200
    _age_session(client, **{LAST_SEEN_AT: 31 * 60})
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"
    assert not signed_in(client)
    login_page = client.get(response["Location"])
    assert "không hoạt động quá 30 phút" in page(login_page)


def test_an_active_session_stays_and_its_stamp_is_touched(client, world):
    force_login(client, world.officer_a)
    _age_session(client, **{LAST_SEEN_AT: 29 * 60})
    assert client.get(DASHBOARD).status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_AT] < 5


def test_the_stamp_is_written_at_most_once_a_minute(client, world):
    force_login(client, world.officer_a)
    _age_session(client, **{LAST_SEEN_AT: 20})
    before = client.session[LAST_SEEN_AT]
    assert client.get(DASHBOARD).status_code == 200
    assert client.session[LAST_SEEN_AT] == before


def test_a_session_ends_eight_hours_after_sign_in_however_active(client, world, settings):
    force_login(client, world.officer_a)
    _age_session(client, **{SIGNED_IN_AT: settings.SESSION_COOKIE_AGE + 1, LAST_SEEN_AT: 10})
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert not signed_in(client)


def test_the_idle_timeout_also_ends_api_sessions(world):
    api = force_login(APIClient(), world.officer_a)
    _age_session(api, **{LAST_SEEN_AT: 31 * 60})
    assert api.get(reverse("dossier-list")).status_code in (401, 403)


# --- signing out of every session -------------------------------------------------------------


def test_signing_out_of_all_sessions_ends_the_others_and_deletes_tokens(world):
    user = world.officer_a
    here, elsewhere = Client(), Client()
    assert sign_in(here, user.username).status_code == 302
    assert sign_in(elsewhere, user.username).status_code == 302
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("dossier-list")).status_code == 200

    response = here.post(reverse("accounts:sessions-revoke"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:security")

    assert here.get(DASHBOARD).status_code == 200
    response = elsewhere.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not Token.objects.filter(user=user).exists()
    assert api.get(reverse("dossier-list")).status_code in (401, 403)
    event = AuditEvent.objects.get(action="account.sessions_revoked")
    assert event.actor_id == user.pk
    assert event.changes["api_tokens"] == [1, 0]
    assert event.changes["session_generation"] == [0, 1]
    # the other device signs in again as usual
    assert sign_in(elsewhere, user.username).status_code == 302


def test_a_verified_leader_stays_verified_after_signing_out_elsewhere(client, world):
    force_login(client, world.leader_a)
    other = force_login(Client(), world.leader_a)
    client.post(reverse("accounts:sessions-revoke"))
    assert client.get(DASHBOARD).status_code == 200
    assert other.get(DASHBOARD).status_code == 302


def test_signing_out_of_all_sessions_is_post_only(client, world):
    force_login(client, world.officer_a)
    assert client.get(reverse("accounts:sessions-revoke")).status_code == 405


def test_the_security_page_shows_the_account_and_its_buttons(client, world):
    force_login(client, world.leader_a)
    body = page(client.get(reverse("accounts:security")))
    assert "Đăng xuất khỏi mọi phiên" in body
    assert "Đặt lại thiết bị xác thực" in body
    assert "a.lanhdao" in body


# --- one's own password -----------------------------------------------------------------------

NEW_PASSWORD = "Cau-lac-bo-Ha-Giang-2011"


def test_changing_the_password_keeps_this_session_and_ends_the_others(world):
    user = world.officer_a
    here, elsewhere = Client(), Client()
    sign_in(here, user.username)
    sign_in(elsewhere, user.username)
    response = here.post(
        reverse("accounts:password-change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert here.get(DASHBOARD).status_code == 200
    assert elsewhere.get(DASHBOARD).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="account.password_change")
    assert user.password not in json.dumps(event.changes)


@pytest.mark.parametrize(
    ("password", "code"),
    [("ngan-qua", "password_too_short"), ("qwerty123456", "password_too_common")],
)
def test_the_password_policy_rejects_a_short_or_common_password(client, world, password, code):
    force_login(client, world.officer_a)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert "new_password2" in errors
    assert code in {e.code for e in errors["new_password2"]}
    # the error summary names the field
    assert "Xác nhận mật khẩu mới:" in page(response)
    world.officer_a.refresh_from_db()
    assert world.officer_a.check_password(TEST_PASSWORD)


def test_the_password_policy_applies_to_accounts_an_administrator_creates(world):
    from phoihop.core.exceptions import ServiceError

    with pytest.raises(ServiceError) as refused:
        services.user_create(
            actor=world.admin,
            username="moi.canbo",
            full_name="Lò Văn Páo",
            password="123",
            agency=world.a,
        )
    assert "password" in refused.value.message_dict
