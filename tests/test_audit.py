"""The audit trail: append-only in the database, chained, attributable, readable by right."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from phoihop.audit.models import AuditEvent
from phoihop.audit.services import audit_verify
from phoihop.core import context, policy
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.models import Task
from tests.audit_helpers import guard_lifted
from tests.factories import open_dossier
from tests.web_fixtures import login, scene  # noqa: F401


@pytest.fixture
def events(world):
    """A few events: two dossiers opened and one of them edited."""
    first = open_dossier(world.joint, world.a, supporting=[world.b], title="Vụ thứ nhất")
    open_dossier(world.joint, world.a, title="Vụ thứ hai")
    dossier_services.dossier_update(actor=SYSTEM, dossier=first, title="Vụ thứ nhất (sửa)")
    return list(AuditEvent.objects.order_by("seq"))


def test_the_database_refuses_to_update_an_audit_event(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(object_repr="sửa lén")
    assert AuditEvent.objects.get(pk=events[0].pk).object_repr == events[0].object_repr


def test_the_database_refuses_to_delete_an_audit_event(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[-1].pk).delete()
    assert AuditEvent.objects.count() == len(events)


def test_an_intact_chain_verifies(events):
    result = audit_verify()
    assert result.ok and result.checked == len(events)


def test_a_changed_row_is_named_by_verify(events):
    target = events[1]
    with guard_lifted():
        AuditEvent.objects.filter(pk=target.pk).update(changes={"title": ["a", "b"]})
    result = audit_verify()
    assert not result.ok
    assert result.first_broken_seq == target.seq
    assert result.checked == target.seq - 1


def test_a_deleted_row_in_the_middle_is_named_by_verify(events):
    target = events[1]
    with guard_lifted():
        AuditEvent.objects.filter(pk=target.pk).delete()
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == target.seq


def test_a_deleted_last_row_is_named_by_verify(events):
    last = events[-1]
    with guard_lifted():
        AuditEvent.objects.filter(pk=last.pk).delete()
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == last.seq


def test_two_swapped_rows_are_named_by_verify(events):
    a, b = events[0], events[1]
    with guard_lifted():
        AuditEvent.objects.filter(pk=a.pk).update(seq=10_000)
        AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
        AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == a.seq


def test_a_request_id_or_scope_edited_after_the_fact_breaks_the_chain(events):
    target = events[-1]
    assert target.scope_type == "dossiers.dossier"
    with guard_lifted():
        AuditEvent.objects.filter(pk=target.pk).update(scope_id=target.scope_id + 1)
    assert audit_verify().first_broken_seq == target.seq


def test_events_of_a_task_are_scoped_to_its_dossier(world):
    dossier = open_dossier(world.joint, world.a)
    task = dossier_services.task_add(
        actor=SYSTEM, dossier=dossier, title="Xác minh", agency=world.a
    )
    event = AuditEvent.objects.get(action="task.add", object_id=str(task.pk))
    assert (event.scope_type, event.scope_id) == ("dossiers.dossier", dossier.pk)
    assert event.object_type == "dossiers.task"


def test_a_job_context_stamps_its_events(world):
    with context.job("nightly"):
        dossier = open_dossier(world.joint, world.a)
    event = AuditEvent.objects.get(action="dossier.open", object_id=str(dossier.pk))
    assert event.request_id.startswith("job:nightly:")


def test_a_web_request_stamps_its_id_and_address_on_the_event(scene, client, settings):
    settings.PHOIHOP_TRUST_REQUEST_ID = True  # behind a proxy that sets it
    login(client, scene.world.officer_a)
    response = client.post(
        reverse("dossiers:task-add", args=[scene.dossier.pk]),
        {"title": "Xác minh thêm", "agency": scene.world.a.pk, "unit": "", "due_on": ""},
        HTTP_X_REQUEST_ID="req-0123456789",
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "req-0123456789"
    event = AuditEvent.objects.get(action="task.add", actor=scene.world.officer_a)
    assert (event.request_id, event.ip) == ("req-0123456789", "10.20.30.40")


def test_a_forged_request_id_header_is_replaced(scene, client):
    login(client, scene.world.officer_a)
    response = client.get(reverse("core:dashboard"), HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 32


# --- history in the UI ------------------------------------------------------------------------


def test_the_dossier_history_lists_its_changes_and_those_of_its_tasks(scene, client):
    dossier_services.dossier_update(
        actor=SYSTEM, dossier=scene.dossier, title="Vụ mua bán người (đổi tên)"
    )
    login(client, scene.world.officer_a)
    page = client.get(reverse("dossiers:history", args=[scene.dossier.pk])).content.decode()
    assert "Sửa hồ sơ" in page
    assert "Vụ mua bán người (đổi tên)" in page
    assert "Mở hồ sơ" in page
    assert "Ghi công văn" in page  # the message added in the scene, scoped to the dossier


def test_history_shows_a_status_change_by_its_labels(scene, client):
    dossier_services.dossier_transition(actor=SYSTEM, dossier=scene.dossier, status="in_progress")
    login(client, scene.world.officer_b)
    page = client.get(reverse("dossiers:history", args=[scene.dossier.pk])).content.decode()
    assert "Chuyển trạng thái hồ sơ" in page
    assert "Mới mở → Đang xử lý" in page


@pytest.mark.parametrize("kind", ["other_agency", "low_clearance", "oversight"])
def test_events_of_a_hidden_dossier_are_readable_nowhere(scene, client, kind):
    actor = scene.actors[kind]
    readable = policy.restrict(AuditEvent.objects.all(), actor)
    assert not readable.filter(scope_type="dossiers.dossier", scope_id=scene.dossier.pk).exists()
    assert not readable.filter(scope_type="subjects.subject", scope_id=scene.subject.pk).exists()
    login(client, actor)
    assert client.get(reverse("dossiers:history", args=[scene.dossier.pk])).status_code == 404


def test_the_supporting_agency_reads_the_history_it_may_see(scene):
    readable = policy.restrict(AuditEvent.objects.all(), scene.world.officer_b)
    assert readable.filter(scope_type="dossiers.dossier", scope_id=scene.dossier.pk).exists()
    assert (
        not readable.filter(scope_type="accounts.user")
        .exclude(scope_id=scene.world.officer_b.pk)
        .exists()
    )


def test_task_completion_is_recorded_with_before_and_after(scene):
    task = Task.objects.filter(dossier=scene.dossier).first()
    dossier_services.task_complete(actor=scene.world.officer_a, task=task)
    event = AuditEvent.objects.get(action="task.complete")
    assert event.changes["done_on"][0] is None and event.changes["done_on"][1]
    assert event.actor == scene.world.officer_a


def test_an_administrator_reads_a_clearance_change_in_the_account_history(world, client):
    from phoihop.accounts import services as account_services

    account_services.user_update(
        actor=world.admin, user=world.officer_b, clearance=Classification.TOI_MAT
    )
    login(client, world.admin)
    page = client.get(reverse("accounts:user-history", args=[world.officer_b.pk])).content.decode()
    assert "Sửa tài khoản" in page
    assert "Mật → Tối mật" in page
    login(client, world.leader_a)
    url = reverse("accounts:user-history", args=[world.officer_b.pk])
    assert client.get(url).status_code == 404


def test_every_action_the_code_records_has_a_vietnamese_label():
    """The history pages show an action's label; a new action without one would show its
    code ("regulation.sign")."""
    import re
    from pathlib import Path

    import phoihop
    from phoihop.audit.choices import ACTION_LABELS

    literal = re.compile(r'(?:action=|_record\(\s*actor,\s*)"([a-z_]+\.[a-z_]+)"')
    recorded = set()
    for path in Path(phoihop.__file__).parent.rglob("*.py"):
        if "migrations" not in path.parts:
            recorded |= set(literal.findall(path.read_text(encoding="utf-8")))
    assert {"regulation.sign", "amendment.merge", "nomination.decide"} <= recorded
    assert sorted(recorded - set(ACTION_LABELS)) == []
