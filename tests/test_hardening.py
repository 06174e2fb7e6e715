"""Web hardening: production settings pass Django's deploy check and send the headers."""

import os
import secrets
import subprocess
import sys
import textwrap

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_authz_matrix import ENTRIES, EXPECTED, POST_ONLY_PAGE, build_url
from tests.web_fixtures import login, scene  # noqa: F401


def _production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOIHOP_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        PHOIHOP_DEBUG="0",
        PHOIHOP_DEMO="0",
        PHOIHOP_SECRET_KEY=secrets.token_urlsafe(64),
        PHOIHOP_VAR_DIR=str(tmp_path),
        PHOIHOP_ALLOWED_HOSTS="phoihop.cahagiang.local",
        DJANGO_SETTINGS_MODULE="phoihop.settings",
    )
    return env


def test_the_production_settings_pass_the_deploy_check(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["PHOIHOP_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "PHOIHOP_SECRET_KEY" in result.stderr


def test_production_sends_hsts_over_tls_and_redirects_plain_http(tmp_path):
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.test import Client
        host = "phoihop.cahagiang.local"
        plain = Client().get("/healthz", HTTP_HOST=host)
        tls = Client().get("/healthz", secure=True, HTTP_HOST=host)
        print(plain.status_code, plain["Location"])
        print(tls.status_code, tls["Strict-Transport-Security"])
        print(tls["X-Frame-Options"], tls["Referrer-Policy"], tls["X-Content-Type-Options"])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    plain, tls, headers = result.stdout.splitlines()
    assert plain == "301 https://phoihop.cahagiang.local/healthz"
    assert tls.startswith("200 max-age=31536000") and "includeSubDomains" in tls
    assert headers == "DENY same-origin nosniff"


def test_pages_send_frame_referrer_and_content_type_headers(client, scene):
    login(client, scene.world.officer_a)
    response = client.get(reverse("core:dashboard"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


POST_ROUTES = [
    e for e in ENTRIES if e.name in EXPECTED and EXPECTED[e.name].expect == POST_ONLY_PAGE
]


@pytest.mark.parametrize("entry", POST_ROUTES, ids=lambda e: e.name)
def test_every_form_post_without_a_csrf_token_is_refused(scene, entry):
    client = Client(enforce_csrf_checks=True)
    login(client, scene.world.leader_a)
    url = build_url(entry, EXPECTED[entry.name], scene)
    response = client.post(url, {})
    assert response.status_code == 403, url


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_local_mode_of_make_run_serves_assets_and_plain_error_pages(tmp_path):
    """`make run` mode: debug off over plain HTTP; no technical pages, the stylesheet served."""
    import time
    import urllib.error
    import urllib.request

    env = _production_env(tmp_path)
    del env["PHOIHOP_SECRET_KEY"]
    env.update(PHOIHOP_LOCAL="1", PHOIHOP_ALLOWED_HOSTS="127.0.0.1")
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "runserver",
            "--insecure",
            "--noreload",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        css = urllib.request.urlopen(f"{base}/static/phoihop/phoihop.css", timeout=5)
        assert css.status == 200 and b".class-banner" in css.read()
        try:
            urllib.request.urlopen(f"{base}/khong-co-trang-nay/", timeout=5)
        except urllib.error.HTTPError as error:
            body = error.read().decode()
            assert error.code == 404
            assert "Không tìm thấy trang" in body
            assert "URLconf" not in body  # not Django's technical page
        else:
            raise AssertionError("a missing page answered 200")
        assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    finally:
        server.terminate()
        server.wait(timeout=10)
