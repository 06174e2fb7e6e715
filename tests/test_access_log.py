"""Reads of personal data: a declared purpose first, then a log line for each look."""

import pytest
from django.urls import reverse

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import SubjectRole
from phoihop.subjects.models import SubjectAccess
from tests.factories import UserFactory, open_dossier
from tests.web_fixtures import login, scene  # noqa: F401

NAME = "Vàng Seo Dính"


def declare(client, subject, purpose="casework", note=""):
    return client.post(
        reverse("subjects:detail", args=[subject.pk]), {"purpose": purpose, "note": note}
    )


def test_a_person_is_not_shown_before_a_purpose_is_declared(scene, client):
    login(client, scene.world.officer_a)
    response = client.get(reverse("subjects:detail", args=[scene.subject.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mục đích truy cập" in page
    assert NAME not in page and "073012345" not in page
    assert not SubjectAccess.objects.exists()


def test_declaring_a_purpose_shows_the_person_and_logs_who_when_where_why(scene, client):
    login(client, scene.world.officer_b)
    response = declare(client, scene.subject, "verification")
    assert response.status_code == 302
    page = client.get(
        reverse("subjects:detail", args=[scene.subject.pk]), REMOTE_ADDR="10.1.2.3"
    ).content.decode()
    assert NAME in page and "073012345" in page
    access = SubjectAccess.objects.get()
    assert (access.user, access.subject, access.kind, access.purpose, access.ip) == (
        scene.world.officer_b,
        scene.subject,
        "view",
        "verification",
        "10.1.2.3",
    )
    assert access.event.action == "subject.accessed"
    assert access.event.scope_id == scene.subject.pk


def test_every_opening_is_logged_not_only_the_first(scene, client):
    login(client, scene.world.officer_a)
    declare(client, scene.subject)
    for _ in range(3):
        client.get(reverse("subjects:detail", args=[scene.subject.pk]))
    assert SubjectAccess.objects.filter(user=scene.world.officer_a).count() == 3


def test_purpose_other_needs_a_note_and_nothing_is_logged_without(scene, client):
    login(client, scene.world.officer_a)
    response = declare(client, scene.subject, "other", "")
    assert response.status_code == 400
    assert "Ghi rõ mục đích" in response.content.decode()
    page = client.get(reverse("subjects:detail", args=[scene.subject.pk])).content.decode()
    assert NAME not in page
    assert not SubjectAccess.objects.exists()


def test_an_invented_purpose_is_refused(scene, client):
    login(client, scene.world.officer_a)
    response = declare(client, scene.subject, "curiosity")
    assert response.status_code == 400
    assert not SubjectAccess.objects.exists()


def test_printing_a_person_is_logged_and_the_sheet_carries_the_level_mark(scene, client):
    login(client, scene.world.officer_a)
    declare(client, scene.subject, "review")
    response = client.get(reverse("subjects:print", args=[scene.subject.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert NAME in page
    assert page.count("MẬT") >= 2  # top and bottom of the sheet, as the dossier is Mật
    assert SubjectAccess.objects.get().kind == "print"


def test_exporting_persons_needs_a_purpose_and_logs_each_person(scene, client):
    other = subject_services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=scene.dossier,
        role=SubjectRole.VICTIM,
        owner_agency=scene.world.a,
        full_name="Lò Thị Mai",
        sex="F",
        nationality="VN",
    )
    login(client, scene.world.officer_a)
    refused = client.post(reverse("subjects:export-csv"), {"q": ""})
    assert refused.status_code == 400
    assert not SubjectAccess.objects.exists()
    response = client.post(reverse("subjects:export-csv"), {"q": "", "purpose": "review"})
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert NAME in body and "Lò Thị Mai" in body
    logged = set(SubjectAccess.objects.filter(kind="export").values_list("subject_id", flat=True))
    assert logged == {scene.subject.pk, other.pk}
    assert AuditEvent.objects.filter(action="subject.accessed").count() == 1


def test_an_export_never_contains_a_person_the_user_may_not_see(scene, client):
    login(client, scene.officer_c)
    response = client.post(reverse("subjects:export-csv"), {"q": "", "purpose": "review"})
    assert NAME not in response.content.decode("utf-8-sig")
    assert not SubjectAccess.objects.exists()


def test_the_api_requires_a_purpose_naming_the_field(scene, client):
    login(client, scene.world.officer_a)
    url = reverse("subject-detail", args=[scene.subject.pk])
    response = client.get(url)
    assert response.status_code == 400
    assert "purpose" in response.json()
    assert not SubjectAccess.objects.exists()
    assert client.get(url, {"purpose": "counterpart"}).status_code == 200
    assert SubjectAccess.objects.get().purpose == "counterpart"


# --- the leaders' read log ----------------------------------------------------------------------


@pytest.fixture
def reads(scene, client):
    """Officer A and officer B each open the scene's person once."""
    for user in (scene.world.officer_a, scene.world.officer_b):
        login(client, user)
        declare(client, scene.subject)
        client.get(reverse("subjects:detail", args=[scene.subject.pk]))
    return scene


def test_a_leader_reads_the_log_of_a_person(reads, client):
    login(client, reads.world.leader_a)
    url = reverse("subjects:access-log") + f"?subject={reads.subject.pk}"
    page = client.get(url).content.decode()
    assert "a.canbo" in page and "b.canbo" in page
    assert "Giải quyết vụ việc" in page


def test_a_leader_reads_the_log_of_a_user_of_their_agency(reads, client):
    login(client, reads.world.leader_a)
    url = reverse("subjects:access-log") + f"?user={reads.world.officer_a.pk}"
    page = client.get(url).content.decode()
    assert "a.canbo" in page and "b.canbo" not in page


def test_a_leader_cannot_open_the_log_of_another_agencys_user(reads, client):
    login(client, reads.world.leader_a)
    url = reverse("subjects:access-log") + f"?user={reads.world.officer_b.pk}"
    response = client.get(url)
    # the same answer as for a user id that does not exist: an error on the field, no rows
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["user"]
    page = response.content.decode()
    assert "b.canbo" not in page and '<table class="table">' not in page
    missing = client.get(reverse("subjects:access-log") + "?user=999999")
    assert missing.status_code == 400
    assert missing.context["form"].errors == response.context["form"].errors


@pytest.mark.parametrize(
    ("query", "field"),
    [("user=abc", "user"), ("subject=abc", "subject"), ("subject=1.5", "subject")],
)
def test_a_malformed_filter_is_an_error_on_its_field(reads, client, query, field):
    login(client, reads.world.leader_a)
    response = client.get(reverse("subjects:access-log") + f"?{query}")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert 'class="error-summary"' in page
    assert "a.canbo" not in page  # no rows listed under a filter that was not applied


def test_an_unknown_person_in_the_log_filter_is_not_found(reads, client):
    login(client, reads.world.leader_a)
    assert client.get(reverse("subjects:access-log") + "?subject=999999").status_code == 404
    # even together with another bad filter: whether the person exists must not show
    url = reverse("subjects:access-log") + "?subject=999999&user=abc"
    assert client.get(url).status_code == 404


def test_the_hidden_person_filter_has_no_visible_label(reads, client):
    login(client, reads.world.leader_a)
    page = client.get(
        reverse("subjects:access-log") + f"?subject={reads.subject.pk}"
    ).content.decode()
    assert (
        f'<input type="hidden" name="subject" value="{reads.subject.pk}" id="id_subject">' in page
    )
    assert 'for="id_subject"' not in page
    assert ">Subject<" not in page and "Mã hồ sơ đối tượng" not in page
    assert f"Nhật ký truy cập của {NAME}" in page
    assert "Đối tượng:" not in page


def test_the_log_does_not_name_a_person_the_leader_may_not_see(reads, client):
    # an officer of A named on a Tuyệt mật dossier reads its person; the leader
    # (Tối mật, not named) sees that the officer read something, not whom
    officer = UserFactory(
        username="a.chuyenan",
        agency=reads.world.a,
        role=Role.OFFICER,
        clearance=Classification.TUYET_MAT,
    )
    secret = open_dossier(
        reads.world.joint,
        reads.world.a,
        classification=Classification.TUYET_MAT,
        named_users=[officer],
        title="Chuyên án",
    )
    hidden = subject_services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=secret,
        role=SubjectRole.SUSPECT,
        owner_agency=reads.world.a,
        full_name="Người trong chuyên án",
        nationality="VN",
    )
    subject_services.subject_access_record(
        actor=officer, subjects=[hidden], kind="view", purpose="casework"
    )
    login(client, reads.world.leader_a)
    page = client.get(reverse("subjects:access-log") + f"?user={officer.pk}").content.decode()
    assert "Người trong chuyên án" not in page
    assert "(hồ sơ bạn không được xem)" in page
    url = reverse("subjects:access-log") + f"?subject={hidden.pk}"
    assert client.get(url).status_code == 404
    assert client.get(url + "&user=abc").status_code == 404


@pytest.mark.parametrize("kind", ["lead", "support", "oversight", "admin"])
def test_the_read_log_is_for_leaders_only(reads, client, kind):
    login(client, reads.actors[kind])
    assert client.get(reverse("subjects:access-log")).status_code == 404
