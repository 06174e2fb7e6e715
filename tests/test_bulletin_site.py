"""The public deployment (`--site public`), run for real in subprocesses.

It must hold the bulletin alone: no back-office app, model, route or module is
even imported; its own database and media under VAR_DIR/public/; articles only
from a signed bundle (imported or pushed), checked with the verify key alone.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.test.utils import override_settings

from tests.test_bulletin_bundle import image_entry, item, make, picture

BACK_OFFICE = (
    "phoihop.accounts",
    "phoihop.audit",
    "phoihop.dossiers",
    "phoihop.subjects",
    "phoihop.reviews",
    "phoihop.regulations",
    "phoihop.awards",
    "phoihop.newsroom",
    "phoihop.demo",
    "rest_framework",
    "axes",
    "django_otp",
    "django_tasks",
    "django.contrib.auth",
    "django.contrib.admin",
)
# Moderators' password hashing uses django.contrib.auth's hashers, which hold no model.
BACK_OFFICE_MODULES = (
    *(m for m in BACK_OFFICE if m != "django.contrib.auth"),
    "django.contrib.auth.models",
    "django.contrib.auth.views",
    "django.contrib.auth.backends",
)
FORBIDDEN_PREFIXES = ("accounts/", "dossiers/", "subjects/", "api/", "newsroom/", "admin")

# Run inside the public deployment: its URL map, apps, models and imported modules.
INSPECT = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

def walk(resolver, prefix="", ns=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [ns, entry.namespace]))
            yield from walk(entry, prefix + str(entry.pattern), inner)
        else:
            name = f"{ns}:{entry.name}" if ns and entry.name else entry.name
            yield name, prefix + str(entry.pattern)

routes = list(walk(get_resolver()))
print(json.dumps({
    "routes": routes,
    "apps": settings.INSTALLED_APPS,
    "models": sorted({m._meta.app_label for m in apps.get_models()}),
    "modules": sorted(m for m in sys.modules if m.startswith(("phoihop", "rest_framework",
        "axes", "django_otp", "django_tasks", "django.contrib"))),
    "databases": str(settings.DATABASES["default"]["NAME"]),
    "media": str(settings.MEDIA_ROOT),
}))
"""

# Run inside the public deployment: pages as a reader gets them.
READ = """
import json
import django
django.setup()
from django.test import Client
c = Client()
out = {}
for url in ("/", "/tin-tuc/", "/tin-tuc/so-ket-2011/", "/tin-tuc/feed.atom",
            "/tin-tuc/tim-kiem/?q=dong+van", "/accounts/login/", "/dossiers/", "/api/",
            "/newsroom/"):
    r = c.get(url)
    out[url] = [r.status_code, r.get("Location", ""),
                r.content.decode() if r.status_code == 200 else ""]
print(json.dumps(out))
"""


def _env(var_dir) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "PHOIHOP_PUBLIC_DATABASE_URL",
            "PHOIHOP_BULLETIN_VERIFY_KEY",
            "PHOIHOP_BULLETIN_SIGNING_KEY",
        }
    }
    env.update(PHOIHOP_VAR_DIR=str(var_dir), PHOIHOP_DEBUG="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def phoihop(var_dir, *args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "phoihop.cli", *args],
        env=_env(var_dir),
        capture_output=True,
        text=True,
        timeout=180,
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def inside(var_dir, script: str) -> dict:
    env = {**_env(var_dir), "DJANGO_SETTINGS_MODULE": "phoihop.settings_public"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A public deployment set up in its own VAR_DIR, with one bundle imported.

    The bundle is signed here (as the back office would) with a key under the same
    VAR_DIR/keys/, where the public site looks for its verify key by default.
    """
    var_dir = tmp_path_factory.mktemp("public-var")
    spec, files = image_entry("anh-1", picture(), caption="Quang cảnh")
    with override_settings(
        PHOIHOP_BULLETIN_SIGNING_KEY=str(var_dir / "keys" / "bulletin-signing.pem"),
        PHOIHOP_BULLETIN_VERIFY_KEY=str(var_dir / "keys" / "bulletin-verify.pem"),
    ):
        data = make(
            [
                item(
                    title="Sơ kết phối hợp tại Đồng Văn",
                    body="Nội dung.\n\n![Quang cảnh](anh-1)",
                    images=[spec],
                )
            ],
            files,
        )
    path = var_dir / "goi-tin.zip"
    path.write_bytes(data)
    setup = phoihop(var_dir, "setup", "--site", "public")
    imported = phoihop(var_dir, "bulletin", "import", str(path), "--site", "public")
    return {"var": var_dir, "setup": setup, "imported": imported, "bundle": path}


def test_the_public_deployment_passes_django_checks(site):
    result = phoihop(site["var"], "--site", "public", "check")
    assert "no issues" in result.stdout


def test_the_public_url_map_holds_only_bulletin_routes(site):
    found = inside(site["var"], INSPECT)
    names = [name for name, _ in found["routes"]]
    assert "bulletin:list" in names and "bulletin:receive" in names
    assert all(name == "home" or name.startswith("bulletin:") for name in names), names
    for _, pattern in found["routes"]:
        assert pattern == "" or pattern.startswith("tin-tuc/"), pattern
        assert not pattern.startswith(FORBIDDEN_PREFIXES), pattern


def test_the_public_deployment_has_no_back_office_app_model_or_module(site):
    found = inside(site["var"], INSPECT)
    assert not [a for a in found["apps"] if a.startswith(BACK_OFFICE)], found["apps"]
    assert "phoihop.core" not in found["apps"]
    assert found["models"] == ["bulletin", "contenttypes", "sessions"]
    # Not even imported while loading every route and view.
    imported = [m for m in found["modules"] if m.startswith(BACK_OFFICE_MODULES)]
    assert not imported, imported


def test_the_public_deployment_keeps_its_own_database_and_media(site):
    found = inside(site["var"], INSPECT)
    assert found["databases"] == str(site["var"] / "public" / "bulletin.sqlite3")
    assert found["media"] == str(site["var"] / "public" / "media")
    assert (site["var"] / "public" / "bulletin.sqlite3").exists()
    assert not (site["var"] / "phoihop.sqlite3").exists()
    assert list((site["var"] / "public" / "media" / "bulletin").iterdir())


def test_setup_then_import_then_a_reader_sees_the_article(site):
    assert "Đã áp dụng gói tin" in site["imported"].stdout
    pages = inside(site["var"], READ)
    assert pages["/"][:2] == [302, "/tin-tuc/"]
    assert "Sơ kết phối hợp tại Đồng Văn" in pages["/tin-tuc/"][2]
    article = pages["/tin-tuc/so-ket-2011/"]
    assert article[0] == 200 and "<figcaption>Quang cảnh</figcaption>" in article[2]
    assert "Sơ kết phối hợp tại Đồng Văn" in pages["/tin-tuc/tim-kiem/?q=dong+van"][2]
    assert pages["/tin-tuc/feed.atom"][0] == 200
    for url in ("/accounts/login/", "/dossiers/", "/api/", "/newsroom/"):
        assert pages[url][0] == 404, url


def test_importing_the_same_bundle_again_changes_nothing(site):
    again = phoihop(site["var"], "bulletin", "import", str(site["bundle"]), "--site", "public")
    assert "đã được áp dụng trước đây" in again.stdout


def test_the_public_deployment_does_not_publish_and_holds_no_signing_key(site):
    result = phoihop(site["var"], "bulletin", "publish", "--site", "public", check=False)
    assert result.returncode != 0
    assert "xuất bản từ hệ thống nội bộ" in result.stderr
    key = phoihop(site["var"], "bulletin", "key", "--site", "public")
    assert key.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in key.stdout


def test_an_unknown_site_is_refused(site):
    result = phoihop(site["var"], "check", "--site", "khac", check=False)
    assert result.returncode == 2 and "không có trang “khac”" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_site_public_serves_the_bulletin_without_a_worker(site):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "phoihop.cli", "serve", "--site", "public", f"127.0.0.1:{port}"],
        env=_env(site["var"]),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/tin-tuc/", timeout=5
                ) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert "Sơ kết phối hợp tại Đồng Văn" in body
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Tiến trình làm việc nền" not in output
