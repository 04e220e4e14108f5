"""The compiled core is used only when every compiled source is unchanged since the build (ADR 0061)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from blendcc import native

SRC = Path(native.__file__).resolve().parent.parent
SUFFIX = str(sysconfig.get_config_var("EXT_SUFFIX"))


def fake_build(tmp_path: Path, *, stale: str | None = None, suffix: str = SUFFIX) -> Path:
    """A build directory whose manifest names every compiled source (files empty: never loaded here)."""
    modules = {}
    for rel in native.COMPILED_SOURCES:
        name = native.module_name(rel)
        file = name.replace(".", "/") + suffix
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_bytes(b"")
        digest = "0" * 64 if rel == stale else native.source_hash(rel)
        modules[name] = {"source": rel, "sha256": digest, "file": file}
    (tmp_path / "abc__mypyc.so").write_bytes(b"")
    manifest = {"ext_suffix": suffix, "modules": modules, "support": {"abc__mypyc": "abc__mypyc.so"}}
    (tmp_path / native.MANIFEST).write_text(json.dumps(manifest))
    return tmp_path


def test_a_build_of_the_current_sources_is_used(tmp_path: Path) -> None:
    files, why = native._check(fake_build(tmp_path))
    assert why == "ok"
    assert files is not None
    assert set(files) == {native.module_name(s) for s in native.COMPILED_SOURCES} | {"abc__mypyc"}


def test_one_edited_source_makes_the_whole_build_unused(tmp_path: Path) -> None:
    files, why = native._check(fake_build(tmp_path, stale="routing/matcher.py"))
    assert files is None
    assert why == "stale: routing/matcher.py changed since the build"


def test_absent_incomplete_or_foreign_builds_are_unused(tmp_path: Path) -> None:
    assert native._check(tmp_path / "nothing") == (None, "absent")
    build = fake_build(tmp_path / "a")
    (build / "abc__mypyc.so").unlink()
    files, why = native._check(build)
    assert files is None and why.startswith("incomplete build")
    files, why = native._check(fake_build(tmp_path / "b", suffix=".cpython-39-x86_64-linux-gnu.so"))
    assert files is None and why.startswith("built for another interpreter")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / native.MANIFEST).write_text("{not json")
    files, why = native._check(tmp_path / "c")
    assert files is None and why.startswith("unreadable manifest")


def _install(build: Path, pure: str) -> tuple[dict[str, object], str]:
    """``native.install(build)`` in a fresh process with BLENDCC_PURE=``pure`` (the package's own import ran
    with it set, so the real build, if any, is not loaded), then where ``routing.matcher`` came from."""
    code = ("import json, os, sys, warnings; from pathlib import Path; import blendcc.native as n; "
            "warnings.simplefilter('always'); os.environ['BLENDCC_PURE'] = sys.argv[2]; n.install(Path(sys.argv[1])); "
            "import blendcc.routing.matcher as m; print(json.dumps({**n.status(), 'file': m.__file__}))")
    done = subprocess.run([sys.executable, "-c", code, str(build), pure], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(SRC), native.PURE_ENV: "1"}, check=True)
    return json.loads(done.stdout), done.stderr


def test_a_stale_build_falls_back_to_the_pure_modules_with_a_warning(tmp_path: Path) -> None:
    status, stderr = _install(fake_build(tmp_path, stale="sim/kernel.py"), pure="0")
    assert status["compiled"] is False
    assert status["reason"] == "stale: sim/kernel.py changed since the build"
    assert str(status["file"]).endswith("routing/matcher.py")
    assert "compiled core not used (stale: sim/kernel.py changed since the build)" in stderr


def test_blendcc_pure_forces_the_pure_modules_silently(tmp_path: Path) -> None:
    status, stderr = _install(fake_build(tmp_path), pure="1")
    assert status == {"compiled": False, "reason": "BLENDCC_PURE is set", "modules": [],
                      "file": status["file"]}
    assert str(status["file"]).endswith("routing/matcher.py")
    assert "RuntimeWarning" not in stderr
