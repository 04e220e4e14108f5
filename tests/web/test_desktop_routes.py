"""The agent desktop's page and assets as the real application serves them: no-cache page with the desktop's
own CSP (socket, media, data:/blob: images; nothing inline), immutable hashed assets, a clear 503 when the
front end is not built, no path escape; and the desktop catalogues complete in the five languages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from blendcc.api import routes_pages
from blendcc.api.app import create_app

WEB = Path(routes_pages.__file__).resolve().parents[1] / "web"
LANGS = ("en", "pl", "ru", "zh", "fa")


@pytest.fixture
def client(sqlite_url: str, clock: Any, containers: Any) -> Iterator[TestClient]:
    with TestClient(create_app(containers(sqlite_url, clock), background=False), raise_server_exceptions=False) as tc:
        yield tc


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desktop build of its own (the real dist/ is neither needed nor disturbed)."""
    out = tmp_path / "desktop"
    (out / "assets").mkdir(parents=True)
    page = '<!doctype html><script type="module" src="/desktop/assets/index-ab12.js"></script>'
    (out / "index.html").write_text(page, encoding="utf-8")
    (out / "assets" / "index-ab12.js").write_text("console.log(1)\n", encoding="utf-8")
    (out / "assets" / "index-ab12.css").write_text("body{}\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not an asset", encoding="utf-8")
    monkeypatch.setattr(routes_pages, "DESKTOP", out)
    return out


def test_page_is_revalidated_and_carries_the_desktop_policy(client: TestClient, built: Path) -> None:
    for path in ("/desktop", "/desktop/"):
        r = client.get(path)  # no token: the page signs in itself
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert r.headers["cache-control"] == "no-cache"
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "connect-src 'self' ws: wss:" in csp and "img-src 'self' data: blob:" in csp and "media-src" in csp
        assert "frame-ancestors 'none'" in csp and r.headers["x-frame-options"] == "DENY"
    other = client.get("/health")  # other routes keep the strict default policy
    assert "ws:" not in other.headers["content-security-policy"]


def test_assets_are_immutable_with_their_types(client: TestClient, built: Path) -> None:
    js = client.get("/desktop/assets/index-ab12.js")
    assert js.status_code == 200 and js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert js.headers["cache-control"] == routes_pages.IMMUTABLE
    assert client.get("/desktop/assets/index-ab12.css").headers["content-type"] == "text/css; charset=utf-8"
    for bad in ("/desktop/assets/nope.js", "/desktop/assets/..%2Fsecret.txt", "/desktop/assets/.hidden"):
        r = client.get(bad)
        assert r.status_code == 404 and "not an asset" not in r.text, bad


def test_missing_build_is_a_clear_503(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_pages, "DESKTOP", tmp_path / "nothing-built")
    for path in ("/desktop", "/desktop/assets/index-ab12.js"):
        r = client.get(path)
        assert r.status_code == 503, path
        assert r.json()["error"] == "unavailable" and "make frontend" in r.json()["detail"]


def test_desktop_catalogues_are_complete_in_every_language() -> None:
    folder = WEB / "i18n" / "desktop"
    shell = {lang: json.loads((folder / f"shell.{lang}.json").read_text(encoding="utf-8")) for lang in LANGS}
    keys = set(shell["en"])
    for lang, strings in shell.items():
        assert set(strings) == keys, (lang, set(strings) ^ keys)
        assert all(isinstance(v, str) and v.strip() for v in strings.values()), lang
        for key, text in strings.items():
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", shell["en"][key])), (lang, key)
        if lang != "en":  # translated, not English copies (names and codes like "SMS" may stay)
            same = [k for k, v in strings.items() if v == shell["en"][k]]
            assert len(same) < len(keys) // 10, (lang, same)
    sources = "".join(p.read_text(encoding="utf-8") for p in (WEB / "desktop").rglob("*.ts*"))
    used = set(re.findall(r'\bt\(\s*"([a-z_.]+)"', sources))
    every = set().union(*(json.loads(f.read_text(encoding="utf-8")) for f in folder.glob("*.en.json")))
    assert used - every == set()  # every literal key the desktop shows has a string (in some area's catalogue)
