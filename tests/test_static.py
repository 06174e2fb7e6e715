"""Every stylesheet, script and image a page asks for is found by the static files finders."""

import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.web_fixtures import login, scene  # noqa: F401

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def test_the_assets_of_the_pages_exist(client, scene):
    login(client, scene.world.officer_a)
    pages = [reverse("core:dashboard"), reverse("dossiers:list"), reverse("accounts:login")]
    found = set()
    for url in pages:
        html = client.get(url).content.decode()
        for path in ASSET.findall(html):
            name = path.removeprefix(settings.STATIC_URL)
            assert finders.find(name), f"{url} asks for {path}, which no finder has"
            found.add(name)
    assert {"phoihop/phoihop.css", "phoihop/phoihop.js"} <= found
