"""The widget's script and demo page as the real application serves them: content type, cache headers and
revalidation, a clear 503 (never a 500) when the front end is not built, /demo/chat only with --demo."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from blendcc.api import routes_widget
from blendcc.api.app import create_app

WEB = Path(routes_widget.__file__).resolve().parents[1] / "web"


@pytest.fixture
def app(sqlite_url: str, clock: Any, containers: Any) -> Any:
    return create_app(containers(sqlite_url, clock), background=False)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as tc:
        yield tc


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A build output of its own, so the test does not depend on (or disturb) the real dist/."""
    (tmp_path / "widget.js").write_text("(function(){window.__widget=1})();\n", encoding="utf-8")
    monkeypatch.setattr(routes_widget, "DIST", tmp_path)
    return tmp_path / "widget.js"


def test_widget_js_is_javascript_cached_briefly_and_revalidated(client: TestClient, built: Path) -> None:
    r = client.get("/widget.js")  # no token: customers' sites load it
    assert r.status_code == 200 and r.text == built.read_text(encoding="utf-8")
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["cache-control"] == routes_widget.WIDGET_CACHE
    assert r.headers["cross-origin-resource-policy"] == "cross-origin"
    assert r.headers["x-content-type-options"] == "nosniff"
    again = client.get("/widget.js", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    built.write_text("(function(){window.__widget=2})();\n", encoding="utf-8")  # a new release
    fresh = client.get("/widget.js", headers={"If-None-Match": r.headers["etag"]})
    assert fresh.status_code == 200 and "__widget=2" in fresh.text and fresh.headers["etag"] != r.headers["etag"]


def test_missing_build_is_a_clear_503(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_widget, "DIST", tmp_path / "nothing-built")
    r = client.get("/widget.js")
    assert r.status_code == 503
    assert r.json()["error"] == "unavailable" and "make frontend" in r.json()["detail"]


def test_demo_page_only_with_demo(app: Any, client: TestClient, built: Path) -> None:
    assert client.get("/demo/chat").status_code == 404
    assert client.get("/demo/demo.css").status_code == 404
    app.state.demo = True  # what `blendcc serve --demo` sets
    page = client.get("/demo/chat")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert re.search(r'<script src="/widget.js" data-instance="default"\s+async></script>', page.text)
    assert "<script>" not in page.text and "style=" not in page.text  # nothing inline: the server's CSP holds
    other = client.get("/demo/chat", params={"instance": "demo", "lang": "fa"})
    assert '<script src="/widget.js" data-instance="demo" data-language="fa" async></script>' in other.text
    bad = client.get("/demo/chat", params={"instance": '"><script>alert(1)</script>'})
    assert bad.status_code == 422 and "<script>" not in bad.text
    assert client.get("/demo/demo.css").headers["content-type"] == "text/css; charset=utf-8"


def test_catalogues_have_every_string_in_all_five_languages() -> None:
    catalogues = {lang: json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
                  for lang in ("en", "pl", "ru", "zh", "fa")}
    keys = set(catalogues["en"])
    for lang, strings in catalogues.items():
        assert set(strings) == keys, lang
        assert all(isinstance(v, str) and v.strip() for v in strings.values()), lang
        for key, text in strings.items():  # the same placeholders as the English string
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", catalogues["en"][key])), (lang, key)
    sources = "".join(p.read_text(encoding="utf-8") for p in (WEB / "widget").glob("*.tsx"))
    marks = {f"status_{s}" for s in ("sending", "sent", "delivered", "read")}  # t(`status_${status}`)
    used = set(re.findall(r'\bt\(\s*"(\w+)"', sources)) | marks
    assert used - keys == set()  # every string the widget shows is in the catalogues ...
    assert keys - used == {"lang_name"}  # ... and every catalogue string is shown (lang_name: the language list)
