"""Fixes from the security review: each test shows the hole is closed."""


from django.urls import reverse

from phoihop.audit.models import AuditEvent
from tests.web_fixtures import PDF, login, scene, tuyet_mat  # noqa: F401

RIGHT = "Mật-khẩu-đúng-2024!"


def test_guessing_the_old_password_is_locked_out_and_ends_the_session(scene, client):
    user = scene.world.officer_a
    user.set_password(RIGHT)
    user.save()
    login(client, user)
    url = reverse("accounts:password-change")
    statuses = [
        client.post(
            url,
            {"old_password": f"sai-{i}", "new_password1": "x", "new_password2": "x"},
            REMOTE_ADDR="10.0.0.9",
        ).status_code
        for i in range(6)
    ]
    assert statuses[:4] == [200] * 4 and 429 in statuses
    # the session is over, and the right old password no longer helps
    response = client.post(
        url,
        {"old_password": RIGHT, "new_password1": "Một-mật-khẩu-mới-dài", "new_password2": "x"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302 and "login" in response["Location"]
    user.refresh_from_db()
    assert user.check_password(RIGHT)


def test_a_client_chosen_request_id_is_ignored_unless_trusted(scene, client, settings):
    login(client, scene.world.officer_a)
    client.post(
        reverse("dossiers:task-complete", args=[scene.task.pk]),
        HTTP_X_REQUEST_ID="job:demo:0123456789ab",
    )
    event = AuditEvent.objects.get(action="task.complete")
    assert event.request_id != "job:demo:0123456789ab" and len(event.request_id) == 32
