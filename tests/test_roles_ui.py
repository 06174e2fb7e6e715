"""What each role is offered on the pages: no form it could not submit; names in Vietnamese order."""

from django.urls import reverse

from tests.factories import UserFactory
from tests.web_fixtures import login, scene  # noqa: F401


def test_oversight_is_offered_no_dossier_or_person_form_or_menu(scene, client):
    login(client, scene.world.oversight)
    page = client.get(reverse("reviews:statistics")).content.decode()
    assert reverse("dossiers:list") not in page
    assert reverse("subjects:list") not in page
    dossiers = client.get(reverse("dossiers:list")).content.decode()
    assert reverse("dossiers:create") not in dossiers
    assert client.get(reverse("dossiers:create")).status_code == 404
    assert client.get(reverse("subjects:create")).status_code == 404


def test_an_officer_is_offered_both(scene, client):
    login(client, scene.world.officer_a)
    page = client.get(reverse("dossiers:list")).content.decode()
    assert reverse("dossiers:create") in page and reverse("subjects:list") in page


def test_a_users_name_reads_family_middle_then_given_name(world, client):
    user = UserFactory(
        username="nvthanh",
        agency=world.a,
        role="officer",
        first_name="Thành",
        last_name="Nguyễn Văn",
    )
    assert user.get_full_name() == "Nguyễn Văn Thành"
    login(client, user)
    assert "Nguyễn Văn Thành" in client.get(reverse("core:dashboard")).content.decode()


def test_statistics_say_whose_dossiers_they_count(scene, client):
    url = reverse("reviews:statistics") + "?date_from=01/01/2010&date_to=31/12/2010"
    login(client, scene.world.officer_a)
    assert "chỉ tính trên các hồ sơ bạn được xem" in client.get(url).content.decode()
    login(client, scene.world.oversight)
    page = client.get(url).content.decode()
    assert "mọi hồ sơ của quy chế" in page
    assert "chỉ tính trên các hồ sơ bạn được xem" not in page


def test_djangos_own_messages_read_in_vietnamese(scene, client):
    login(client, scene.world.officer_a)
    page = client.get(reverse("dossiers:list") + "?q=%00").content.decode()
    assert "Không được chứa ký tự rỗng" in page
    assert "Null characters" not in page
