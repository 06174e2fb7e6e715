"""Administration of users: administrators only (404 for anyone else), through audited
services that nobody else may call; the `phoihop user` command; the demo's TOTP devices."""

from __future__ import annotations

import io
import json
import pathlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from phoihop.accounts import security, services
from phoihop.accounts.choices import Role
from phoihop.accounts.models import User
from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM, NotFound
from phoihop.demo import hagiang
from tests.factories import TEST_PASSWORD, UnitFactory
from tests.signin import force_login

NEW_PASSWORD = "Dong-Van-Meo-Vac-2011"


@pytest.fixture
def admin(client, world):
    return force_login(client, world.admin)


def _create_payload(w, **changes):
    data = {
        "username": "moi.canbo",
        "full_name": "Lò Văn Páo",
        "email": "moi.canbo@phoihop.invalid",
        "agency": w.a.pk,
        "unit": w.unit_a.pk,
        "role": Role.OFFICER,
        "clearance": Classification.MAT,
        "position": "Trinh sát viên",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def _edit_payload(user, **changes):
    data = {
        "username": user.username,
        "full_name": services.full_name_of(user),
        "email": user.email,
        "agency": user.agency_id,
        "unit": user.unit_id or "",
        "role": user.role,
        "clearance": user.clearance,
        "position": user.position,
        "is_active": "on" if user.is_active else "",
        "password": "",
        "password_confirm": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- only administrators ----------------------------------------------------------------------


def test_user_pages_are_404_for_everyone_but_administrators(client, world):
    target = world.officer_b
    for user in (world.leader_a, world.officer_a, world.secretariat, world.oversight):
        force_login(client, user)
        for url in (
            reverse("accounts:user-list"),
            reverse("accounts:user-create"),
            reverse("accounts:user-edit", args=[target.pk]),
            reverse("accounts:user-edit", args=[user.pk]),  # not even one's own
        ):
            assert client.get(url).status_code == 404, (user.username, url)
        for url in (
            reverse("accounts:user-edit", args=[target.pk]),
            reverse("accounts:user-reset-two-factor", args=[target.pk]),
            reverse("accounts:user-unlock", args=[target.pk]),
        ):
            assert client.post(url, _edit_payload(target)).status_code == 404, (user.username, url)
    target.refresh_from_db()
    assert target.clearance == Classification.MAT
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_the_user_menu_is_shown_to_administrators_only(client, world):
    force_login(client, world.officer_a)
    assert reverse("accounts:user-list") not in client.get("/").content.decode()
    force_login(client, world.admin)
    assert reverse("accounts:user-list") in client.get("/").content.decode()


@pytest.mark.parametrize("kind", ["leader_a", "officer_a", "secretariat", "oversight"])
def test_the_services_refuse_anyone_but_an_administrator(world, kind):
    actor = getattr(world, kind)
    role = actor.role
    target = world.officer_b
    calls = [
        lambda: services.user_update(actor=actor, user=target, clearance=Classification.TUYET_MAT),
        lambda: services.user_update(actor=actor, user=target, agency=world.a),
        lambda: services.user_update(actor=actor, user=actor, role=Role.ADMINISTRATOR),
        lambda: services.user_update(actor=actor, user=actor, clearance=Classification.TUYET_MAT),
        lambda: services.user_create(
            actor=actor, username="x.canbo", full_name="Lò Văn Páo", password=NEW_PASSWORD
        ),
        lambda: services.two_factor_reset(actor=actor, user=target),
        lambda: services.user_unlock(actor=actor, user=target),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    target.refresh_from_db()
    actor.refresh_from_db()
    assert (target.clearance, target.agency_id) == (Classification.MAT, world.b.pk)
    assert actor.role == role
    assert not User.objects.filter(username="x.canbo").exists()
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_an_inactive_administrator_is_refused_too(world):
    User.objects.filter(pk=world.admin.pk).update(is_active=False)
    world.admin.refresh_from_db()
    with pytest.raises(NotFound):
        services.user_update(actor=world.admin, user=world.officer_a, clearance=0)


# --- listing and creating ---------------------------------------------------------------------


def test_the_list_searches_and_filters(admin, world):
    url = reverse("accounts:user-list")
    body = admin.get(url).content.decode()
    for user in (world.officer_a, world.officer_b, world.leader_a, world.admin):
        assert user.username in body
    body = admin.get(url, {"q": "lanhdao"}).content.decode()
    assert "a.lanhdao" in body
    assert "b.canbo" not in body
    body = admin.get(url, {"agency": world.b.pk}).content.decode()
    assert "b.canbo" in body
    assert "a.canbo" not in body
    body = admin.get(url, {"role": Role.LEADER}).content.decode()
    assert "a.lanhdao" in body
    assert "a.canbo" not in body


def test_an_administrator_creates_a_user(admin, world):
    response = admin.post(reverse("accounts:user-create"), _create_payload(world))
    user = User.objects.get(username="moi.canbo")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user-edit", args=[user.pk])
    assert (user.last_name, user.first_name) == ("Lò Văn", "Páo")
    assert (user.agency_id, user.unit_id, user.clearance) == (
        world.a.pk,
        world.unit_a.pk,
        Classification.MAT,
    )
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="account.user_create")
    assert event.actor_id == world.admin.pk
    assert event.changes["agency_id"] == [None, world.a.pk]
    assert event.changes["clearance"] == [None, Classification.MAT]
    assert event.changes["role"] == [None, Role.OFFICER]
    dumped = json.dumps(event.changes)
    assert "password" not in dumped
    assert user.password not in dumped
    assert NEW_PASSWORD not in dumped
    # and the new user signs in
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": "moi.canbo", "password": NEW_PASSWORD})
        .status_code
        == 302
    )


def test_creating_a_user_with_a_weak_password_names_the_field(admin, world):
    response = admin.post(
        reverse("accounts:user-create"),
        _create_payload(world, password="qwerty123456", password_confirm="qwerty123456"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["password"]
    assert "Mật khẩu ban đầu:" in response.content.decode()
    assert not User.objects.filter(username="moi.canbo").exists()


def test_the_unit_must_belong_to_the_agency(admin, world):
    response = admin.post(
        reverse("accounts:user-create"), _create_payload(world, unit=world.unit_b.pk)
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    with pytest.raises(ServiceError) as refused:
        services.user_create(
            actor=world.admin,
            username="moi.canbo",
            full_name="Lò Văn Páo",
            password=NEW_PASSWORD,
            agency=world.a,
            unit=world.unit_b,
        )
    assert "unit" in refused.value.message_dict


def test_a_username_is_taken_once(world):
    with pytest.raises(ServiceError) as refused:
        services.user_create(
            actor=world.admin,
            username="A.CANBO",
            full_name="Lò Văn Páo",
            password=NEW_PASSWORD,
            agency=world.a,
        )
    assert "username" in refused.value.message_dict


# --- editing ----------------------------------------------------------------------------------


def test_changing_agency_and_clearance_is_audited_with_before_and_after(admin, world):
    user = world.officer_a
    response = admin.post(
        reverse("accounts:user-edit", args=[user.pk]),
        _edit_payload(
            user, agency=world.b.pk, unit=world.unit_b.pk, clearance=Classification.TOI_MAT
        ),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.agency_id, user.unit_id, user.clearance) == (
        world.b.pk,
        world.unit_b.pk,
        Classification.TOI_MAT,
    )
    event = AuditEvent.objects.get(action="account.user_update")
    assert event.actor_id == world.admin.pk
    assert event.object_id == str(user.pk)
    assert event.changes == {
        "agency_id": [world.a.pk, world.b.pk],
        "clearance": [Classification.MAT, Classification.TOI_MAT],
        "unit_id": [world.unit_a.pk, world.unit_b.pk],
    }


def test_saving_without_changes_writes_no_event(admin, world):
    user = world.officer_a
    response = admin.post(reverse("accounts:user-edit", args=[user.pk]), _edit_payload(user))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="account.user_update").exists()


def test_an_administrator_cannot_change_their_own_role_clearance_or_agency(admin, world):
    me = world.admin
    for field, value in (
        ("role", Role.OFFICER),
        ("clearance", Classification.THUONG),
        ("agency", world.b),
        ("is_active", False),
    ):
        with pytest.raises(ServiceError) as refused:
            services.user_update(actor=me, user=me, **{field: value})
        assert field in refused.value.message_dict
    # on the page the fields are disabled: a forged value is ignored
    response = admin.post(
        reverse("accounts:user-edit", args=[me.pk]),
        _edit_payload(me, role=Role.OFFICER, clearance=Classification.THUONG, agency=world.b.pk),
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.role, me.clearance, me.agency_id) == (
        Role.ADMINISTRATOR,
        Classification.TUYET_MAT,
        world.a.pk,
    )
    # but one's own name may change
    services.user_update(actor=me, user=me, full_name="Trần Hải Long")
    me.refresh_from_db()
    assert me.first_name == "Long"


def test_deactivating_a_user_ends_their_sessions_and_tokens(admin, world):
    user = world.officer_b
    theirs = force_login(Client(), user)
    Token.objects.create(user=user)
    response = admin.post(
        reverse("accounts:user-edit", args=[user.pk]), _edit_payload(user, is_active=None)
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert theirs.get("/").status_code == 302
    assert not Token.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="account.user_update")
    assert event.changes["is_active"] == [True, False]


def test_an_administrator_sets_a_new_password(admin, world):
    user = world.officer_b
    theirs = force_login(Client(), user)
    response = admin.post(
        reverse("accounts:user-edit", args=[user.pk]),
        _edit_payload(user, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert theirs.get("/").status_code == 302
    event = AuditEvent.objects.get(action="account.user_update")
    assert event.changes == {"password": [None, "changed"]}


def test_an_administrator_resets_a_leaders_two_factor(admin, world):
    leader = world.leader_a
    theirs = force_login(Client(), leader)
    assert theirs.get("/").status_code == 200
    response = admin.post(reverse("accounts:user-reset-two-factor", args=[leader.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=leader).exists()
    assert theirs.get("/")["Location"].startswith(reverse("accounts:two-factor-setup"))
    event = AuditEvent.objects.get(action="account.two_factor_reset")
    assert event.actor_id == world.admin.pk
    assert event.changes == {"totp_devices": [1, 0]}


def test_the_edit_page_shows_lockout_and_two_factor(admin, world, client):
    for _attempt in range(5):
        Client().post(
            reverse("accounts:login"), {"username": world.officer_a.username, "password": "sai"}
        )
    assert security.locked_usernames() == {world.officer_a.username: 1}
    body = admin.get(reverse("accounts:user-edit", args=[world.officer_a.pk])).content.decode()
    assert "Mở khóa đăng nhập" in body
    body = admin.get(reverse("accounts:user-list")).content.decode()
    assert "Tạm khóa đăng nhập" in body


def test_session_generation_zero_keeps_djangos_own_hash(world):
    from django.utils.crypto import salted_hmac

    user = world.officer_a
    djangos = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        user.password,
        algorithm="sha256",
    ).hexdigest()
    assert user.get_session_auth_hash() == djangos
    user.session_generation = 1
    assert user.get_session_auth_hash() != djangos


# --- the `phoihop user` command ---------------------------------------------------------------


def test_the_command_creates_the_first_administrator(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "user",
        "create",
        "quantri2",
        "--full-name",
        "Trần Hải Long",
        "--role",
        "admin",
        "--agency",
        world.a.code,
        "--password-stdin",
        stdout=out,
    )
    user = User.objects.get(username="quantri2")
    assert user.role == Role.ADMINISTRATOR
    assert user.check_password(NEW_PASSWORD)
    assert "xác thực hai lớp" in out.getvalue()
    event = AuditEvent.objects.get(action="account.user_create")
    assert event.actor_label == "system"


def test_the_command_refuses_a_weak_password_and_names_the_field(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError) as refused:
        call_command(
            "user",
            "create",
            "quantri2",
            "--full-name",
            "Trần Hải Long",
            "--role",
            "admin",
            "--password-stdin",
        )
    assert str(refused.value).startswith("password:")
    assert not User.objects.filter(username="quantri2").exists()


def test_the_command_unlocks_and_resets_two_factor(world):
    for _attempt in range(5):
        Client().post(
            reverse("accounts:login"), {"username": world.leader_a.username, "password": "sai"}
        )
    TOTPDevice.objects.create(user=world.leader_a, confirmed=True)
    out = io.StringIO()
    call_command("user", "unlock", world.leader_a.username, stdout=out)
    call_command("user", "reset-2fa", world.leader_a.username, stdout=out)
    assert security.locked_usernames() == {}
    assert not TOTPDevice.objects.filter(user=world.leader_a).exists()
    response = Client().post(
        reverse("accounts:login"),
        {"username": world.leader_a.username, "password": TEST_PASSWORD},
    )
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))


# --- the demo's devices -----------------------------------------------------------------------


def test_the_demo_leaders_and_administrator_have_the_documented_totp_devices(db, settings):
    settings.PHOIHOP_DEMO = True
    hagiang._setup_agencies()
    devices = {d.user.username: d for d in TOTPDevice.objects.select_related("user")}
    assert set(devices) == {"ca.lanhdao", "sngv.lanhdao", "quantri"}
    assert all(d.confirmed for d in devices.values())
    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
    for username, secret, uri in hagiang.demo_two_factor():
        assert security.secret_base32(devices[username]) == secret
        assert f"`{secret}`" in readme, username
        assert uri.startswith(f"otpauth://totp/phoihop%3A{username}?secret={secret}")
    lines = "\n".join(hagiang.account_lines())
    for _username, secret, uri in hagiang.demo_two_factor():
        assert secret in lines
        assert uri in lines


def test_a_demo_leader_signs_in_with_the_printed_secret(client, db, settings):
    import base64

    from django_otp.oath import totp

    settings.PHOIHOP_DEMO = True
    hagiang._setup_agencies()
    response = client.post(
        reverse("accounts:login"), {"username": "ca.lanhdao", "password": hagiang.DEMO_PASSWORD}
    )
    assert response["Location"].startswith(reverse("accounts:two-factor"))
    secret = {u: s for u, s, _uri in hagiang.demo_two_factor()}["ca.lanhdao"]
    code = f"{totp(base64.b32decode(secret)):06d}"
    response = client.post(reverse("accounts:two-factor"), {"code": code, "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_unit_of_the_same_agency_is_accepted(world):
    extra = UnitFactory(agency=world.a, code="xuat-nhap-canh", name="Phòng Xuất nhập cảnh")
    user = services.user_create(
        actor=SYSTEM,
        username="moi.canbo",
        full_name="Lò Văn Páo",
        password=NEW_PASSWORD,
        agency=world.a,
        unit=extra,
    )
    assert user.unit_id == extra.pk
