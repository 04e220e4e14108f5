"""The optional compiled core (mypyc, ADR 0061): used only when built from exactly these sources."""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

#: the modules compiled, as paths inside the package (ADR 0061 says why these and not the others)
COMPILED_SOURCES: tuple[str, ...] = (
    "routing/matcher.py",
    "routing/records.py",
    "routing/strategies.py",
    "sim/kernel.py",
    "sim/collect.py",
    "sim/centre.py",
    "analytics/queue_stats.py",
)
PACKAGE_DIR = Path(__file__).resolve().parent
#: the build's output, apart from the sources (never next to them: a stale ``.so`` there would win)
BUILD_DIR = PACKAGE_DIR / "_compiled"
MANIFEST = "manifest.json"
PURE_ENV = "BLENDCC_PURE"

_active: dict[str, str] = {}
_reason = "not checked"


def source_hash(relative: str) -> str:
    return hashlib.sha256((PACKAGE_DIR / relative).read_bytes()).hexdigest()


def module_name(relative: str) -> str:
    return "blendcc." + relative.removesuffix(".py").replace("/", ".")


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules (and mypyc's shared support library) in the build directory."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def _check(build_dir: Path) -> tuple[dict[str, Path] | None, str]:
    """(the files to load, by module name) when the build is usable, else (None, why not)."""
    manifest_path = build_dir / MANIFEST
    if not manifest_path.is_file():
        return None, "absent"
    try:
        manifest = json.loads(manifest_path.read_text())
        modules: dict[str, dict[str, str]] = manifest["modules"]
        support: dict[str, str] = manifest["support"]
        suffix: str = manifest["ext_suffix"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"unreadable manifest ({exc})"
    if suffix != sysconfig.get_config_var("EXT_SUFFIX"):
        return None, f"built for another interpreter ({suffix})"
    if sorted(info["source"] for info in modules.values()) != sorted(COMPILED_SOURCES):
        return None, "built from another list of modules"
    files: dict[str, Path] = {}
    for name, info in modules.items():
        try:
            current = source_hash(info["source"])
        except OSError:
            return None, f"{info['source']} is missing"
        if current != info["sha256"]:
            return None, f"stale: {info['source']} changed since the build"
        files[name] = build_dir / info["file"]
    files.update({name: build_dir / file for name, file in support.items()})
    missing = [str(f) for f in files.values() if not f.is_file()]
    if missing:
        return None, f"incomplete build ({missing[0]} is missing)"
    return files, "ok"


def install(build_dir: Path = BUILD_DIR) -> None:
    """Put the compiled modules first on the import path, all or none; called by ``blendcc/__init__``.

    ``BLENDCC_PURE=1`` forces the pure modules. A stale or broken build falls back to the pure modules with a
    warning; an absent build falls back silently (it is optional)."""
    global _reason
    if os.environ.get(PURE_ENV, "").strip() not in ("", "0"):
        _reason = f"{PURE_ENV} is set"
        return
    if any(module_name(s) in sys.modules for s in COMPILED_SOURCES):
        _reason = "pure modules were imported first"
        return
    files, why = _check(build_dir)
    _reason = why
    if files is None:
        if why != "absent":
            warnings.warn(f"blendcc: compiled core not used ({why}); running the pure Python modules. "
                          "Rebuild it with `make native` or set BLENDCC_PURE=1.", RuntimeWarning, stacklevel=2)
        return
    sys.meta_path.insert(0, _Finder(files))
    _active.update({name: str(path) for name, path in files.items()})


def status() -> dict[str, object]:
    """What ``install`` decided: ``compiled`` (bool), the ``reason`` and the ``modules`` loaded compiled."""
    loaded = sorted(module_name(s) for s in COMPILED_SOURCES
                    if module_name(s) in _active and _is_extension(sys.modules.get(module_name(s))))
    return {"compiled": bool(_active), "reason": _reason, "modules": loaded}


def _is_extension(module: ModuleType | None) -> bool:
    return module is not None and str(getattr(module, "__file__", "")).endswith(
        str(sysconfig.get_config_var("EXT_SUFFIX")))
