"""Findings of the acceptance test: history pages, forms' accessibility, filters and wording."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from phoihop.accounts import services as account_services
from phoihop.audit.models import AuditEvent
from phoihop.audit.selectors import describe
from phoihop.core.policy import SYSTEM
from phoihop.dossiers import handling
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.models import Task
from tests.web_fixtures import d, login, scene  # noqa: F401


def html(response) -> str:
    return response.content.decode()


def changes_of(event, actor) -> dict[str, tuple]:
    [(_event, changes)] = describe([event], actor)
    return {c.field: (c.before, c.after) for c in changes}


# --- 1. history pages ---------------------------------------------------------------------------


def test_history_shows_dates_and_times_in_the_local_format():
    event = AuditEvent(
        action="copy_request.decide",
        object_type="dossiers.copyrequest",
        changes={
            "decided_at": [None, "2026-11-26 20:08:03.712199+00:00"],
            "requested_at": [None, "2026-11-26T20:08:03.712Z"],
        },
    )
    shown = changes_of(event, SYSTEM)
    assert shown["thời điểm duyệt"] == ("—", "27/11/2026 03:08")  # Asia/Ho_Chi_Minh, UTC+7
    assert shown["thời điểm đề nghị"] == ("—", "27/11/2026 03:08")
    task = AuditEvent(
        action="task.complete",
        object_type="dossiers.task",
        changes={"done_on": [None, "2009-08-04"]},
    )
    assert changes_of(task, SYSTEM)["ngày hoàn thành"] == ("—", "04/08/2009")


def test_history_keeps_a_date_it_cannot_read_as_it_was_stored():
    event = AuditEvent(
        action="task.update",
        object_type="dossiers.task",
        changes={"due_on": ["hôm qua", "2009-02-30"], "created_at": ["x", "2009-13-01 10:00"]},
    )
    shown = changes_of(event, SYSTEM)
    assert shown["hạn hoàn thành"] == ("hôm qua", "2009-02-30")
    assert shown["tạo lúc"] == ("x", "2009-13-01 10:00")


def test_history_labels_keys_in_vietnamese_and_names_visible_dossiers_and_persons(scene):
    link = AuditEvent.objects.get(action="subject.link", object_id__isnull=False)
    create = AuditEvent.objects.get(action="subject.create")
    lead = scene.world.officer_a
    shown = changes_of(link, lead)
    assert shown["hồ sơ"] == ("—", scene.dossier.reference)
    assert shown["đối tượng"] == ("—", "Vàng Seo Dính")
    assert "giấy tờ tùy thân" in changes_of(create, lead)
    # someone who may not see the dossier nor the person reads numbers, not names
    outsider = changes_of(link, scene.officer_c)
    assert outsider["hồ sơ"] == ("—", f"#{scene.dossier.pk}")
    assert outsider["đối tượng"] == ("—", f"#{scene.subject.pk}")


def test_history_labels_the_creator_of_a_dossier_and_a_copy_requester(scene):
    opened = AuditEvent.objects.get(action="dossier.open")
    assert "người tạo" in changes_of(opened, SYSTEM)
    assert "created by" not in changes_of(opened, SYSTEM)
    requested = AuditEvent(
        action="copy_request.request",
        object_type="dossiers.copyrequest",
        changes={"requested_by_id": scene.world.officer_a.pk, "dossier_id": scene.dossier.pk},
    )
    shown = changes_of(requested, scene.world.officer_a)
    assert shown["người đề nghị"] == ("—", str(scene.world.officer_a))
    assert shown["hồ sơ"] == ("—", scene.dossier.reference)


def test_the_history_page_reads_in_vietnamese(scene, client):
    task = Task.objects.filter(dossier=scene.dossier).first()
    dossier_services.task_complete(actor=SYSTEM, task=task, done_on=d("04/03/2010"))
    login(client, scene.world.officer_a)
    page = html(client.get(reverse("dossiers:history", args=[scene.dossier.pk])))
    assert "Mục thay đổi" in page
    assert "— → 04/03/2010" in page
    assert "2010-03-04" not in page
    assert ">system<" not in page and "Hệ thống" in page
    assert "<dt>dossier</dt>" not in page and "<dt>subject</dt>" not in page
    assert f"→ {scene.dossier.reference}" in page


def test_the_account_history_labels_an_unlock(world, client):
    account_services.user_unlock(actor=world.admin, user=world.officer_b)
    login(client, world.admin)
    page = html(client.get(reverse("accounts:user-history", args=[world.officer_b.pk])))
    assert "failed_attempt_records" not in page
    assert "số lần đăng nhập sai đã ghi" in page


# --- 3. accessibility of the forms ----------------------------------------------------------------

DESCRIBEDBY = re.compile(r'aria-describedby="([^"]*)"')
IDS = re.compile(r'\sid="([^"]+)"')


def assert_descriptions_exist(page: str) -> None:
    ids = set(IDS.findall(page))
    referenced = {i for value in DESCRIBEDBY.findall(page) for i in value.split()}
    assert referenced, "the page should describe at least one field"
    assert referenced <= ids, f"aria-describedby names missing ids: {referenced - ids}"
    assert 'for=""' not in page


def test_the_new_dossier_form_references_only_existing_descriptions(world, client):
    login(client, world.officer_a)
    page = html(client.get(reverse("dossiers:create")))
    assert_descriptions_exist(page)
    assert 'id="id_opened_on_helptext"' in page
    # the group of checkboxes is labelled as a group
    assert re.search(r'role="group" aria-labelledby="id_supporting_agencies_label"', page)
    assert 'id="id_supporting_agencies_label"' in page


def test_an_invalid_form_describes_its_errors_with_existing_ids(world, client):
    login(client, world.officer_a)
    response = client.post(reverse("dossiers:create"), {"title": "", "opened_on": "31/02/2010"})
    assert response.status_code == 400
    page = html(response)
    assert 'id="id_opened_on_error"' in page
    assert_descriptions_exist(page)


# --- 4. the dossier list filter -------------------------------------------------------------------


def test_a_reversed_date_range_is_an_error_on_the_end_date(world, client):
    login(client, world.officer_a)
    response = client.get(
        reverse("dossiers:list"), {"date_from": "01/03/2010", "date_to": "01/02/2010"}
    )
    form = response.context["form"]
    assert list(form.errors) == ["date_to"]
    assert "Ngày cuối không được trước ngày đầu." in html(response)
    same_day = client.get(
        reverse("dossiers:list"), {"date_from": "01/03/2010", "date_to": "01/03/2010"}
    )
    assert not same_day.context["form"].errors


# --- 5. the restriction notice --------------------------------------------------------------------


def notice(page: str) -> str:
    block = re.search(r'<div class="notice notice-warning" role="note">(.*?)</div>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", block.group(1))).strip()


def test_the_restriction_notice_is_one_punctuated_list(scene, client):
    handling.dossier_set_restrictions(
        actor=SYSTEM,
        dossier=scene.dossier,
        no_third_party=True,
        no_export=True,
        print_needs_approval=True,
    )
    login(client, scene.world.officer_a)
    page = html(client.get(reverse("dossiers:detail", args=[scene.dossier.pk])))
    assert notice(page) == (
        "Hạn chế xử lý: không sao gửi cho bên thứ ba; tải, xuất phải được lãnh đạo duyệt;"
        " in phải được lãnh đạo duyệt."
    )
    assert "<li>" in page


def test_a_single_restriction_ends_with_one_full_stop(scene, client):
    handling.dossier_set_restrictions(actor=SYSTEM, dossier=scene.dossier, no_export=True)
    login(client, scene.world.officer_a)
    page = html(client.get(reverse("dossiers:detail", args=[scene.dossier.pk])))
    assert notice(page) == "Hạn chế xử lý: tải, xuất phải được lãnh đạo duyệt."


# --- 6. the refusal page opens the request form; the purpose page goes back -----------------------


def test_the_refusal_page_links_to_the_request_form_itself(scene, client):
    handling.dossier_set_restrictions(
        actor=SYSTEM, dossier=scene.dossier, print_needs_approval=True
    )
    login(client, scene.world.officer_a)
    refused = html(client.post(reverse("dossiers:print", args=[scene.dossier.pk]), follow=True))
    assert f'href="{scene.dossier.get_absolute_url()}#copy-request-form"' in refused
    detail = html(client.get(reverse("dossiers:detail", args=[scene.dossier.pk])))
    assert re.search(r'<details id="copy-request-form"[ >]', detail)


NODE_HARNESS = r"""
const fs = require("fs");
const handlers = {};
function el(tag, parent) {
  return {
    tagName: tag, open: false, parentElement: parent || null, scrolled: false,
    scrollIntoView() { this.scrolled = true; },
    querySelector() { return { focus() {} }; },
  };
}
const outer = el("DETAILS");
const inner = el("P", outer);
const elements = { "copy-request-form": outer, "inside": inner };
global.window = {
  location: { hash: process.argv[3] },
  addEventListener(name, fn) { handlers["window:" + name] = fn; },
  print() {},
};
global.document = {
  addEventListener(name, fn) { handlers[name] = fn; },
  querySelector() { return null; },
  querySelectorAll() { return []; },
  getElementById(id) { return elements[id] || null; },
};
eval(fs.readFileSync(process.argv[2], "utf8"));
handlers.DOMContentLoaded();
console.log(JSON.stringify({ open: outer.open, scrolled: outer.scrolled || inner.scrolled }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the page script")
@pytest.mark.parametrize(
    ("hash_", "opened"), [("#copy-request-form", True), ("#inside", True), ("#other", False)]
)
def test_the_page_script_opens_the_details_named_by_the_address(tmp_path, hash_, opened):
    from django.contrib.staticfiles import finders

    harness = tmp_path / "harness.js"
    harness.write_text(NODE_HARNESS)
    script = finders.find("phoihop/phoihop.js")
    out = subprocess.run(
        [shutil.which("node"), str(harness), script, hash_],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == {"open": opened, "scrolled": opened}


def test_the_purpose_page_cancels_back_to_a_page_of_this_site(scene, client):
    login(client, scene.world.officer_a)
    url = reverse("subjects:detail", args=[scene.subject.pk])
    back = reverse("dossiers:detail", args=[scene.dossier.pk])
    page = html(client.get(url, HTTP_REFERER=f"http://testserver{back}"))
    assert f'href="http://testserver{back}"' in page
    # a failed declaration keeps where to go back to
    response = client.post(url, {"purpose": "", "next": back})
    assert response.status_code == 400
    assert f'href="{back}"' in html(response)


@pytest.mark.parametrize(
    "referer", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)", ""]
)
def test_the_purpose_page_cancels_to_the_persons_list_otherwise(scene, client, referer):
    login(client, scene.world.officer_a)
    url = reverse("subjects:detail", args=[scene.subject.pk])
    page = html(client.get(url, HTTP_REFERER=referer))
    assert f'<a href="{reverse("subjects:list")}">' in page
    assert "evil.example" not in page and "javascript:" not in page
    # nor back to the purpose page itself
    page = html(client.get(url, HTTP_REFERER=f"http://testserver{url}"))
    assert f'<a href="{reverse("subjects:list")}">' in page


def test_a_relation_recorded_by_its_text_is_shown_as_such(world, client):
    from phoihop.regulations import services as regulation_services

    regulation_services.category_create(
        actor=SYSTEM,
        regulation=world.regulation,
        code="lanh-su",
        name="Lãnh sự",
        kind=world.border.kind,
        clause=world.clause,
    )
    login(client, world.officer_a)
    response = client.get(reverse("regulations:history", args=[world.regulation.code]))
    assert response.status_code == 200
    assert f"— → {world.clause}" in html(response)
