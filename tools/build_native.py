"""Compile blendcc's hot pure-core modules with mypyc into src/blendcc/_compiled (ADR 0061).

    python tools/build_native.py [--src src] [--out DIR]

The extension modules are written apart from the sources, with a manifest holding the sha256 of each
compiled source; ``blendcc.native`` loads them only while every hash still matches (all or none). The
build goes to a temporary directory and replaces the output only when it succeeded. Exit 0 on success,
1 (with the compiler's message) when mypyc or the C compiler failed: the pure modules are then used.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _native_module(src: Path) -> Any:
    """``blendcc/native.py`` loaded on its own (not through the package: nothing compiled is imported)."""
    spec = importlib.util.spec_from_file_location("_blendcc_native_list", src / "blendcc" / "native.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(src: Path, out: Path) -> dict[str, Any]:
    """Compile, then install the result and its manifest into ``out``; returns the manifest."""
    from mypyc.build import mypycify  # mypyc ships with mypy (the dev extra; the wheel's build requirement)
    from setuptools import Distribution

    native = _native_module(src)
    package = src / "blendcc"
    sources = [package / s for s in native.COMPILED_SOURCES]
    hashes = {s: native.source_hash(s) for s in native.COMPILED_SOURCES}  # before compiling: an edit during
    ext_suffix = sysconfig.get_config_var("EXT_SUFFIX")                 # the build makes it stale, not wrong
    with tempfile.TemporaryDirectory(prefix="blendcc-mypyc-") as tmp:
        work = Path(tmp)
        cwd = os.getcwd()
        os.chdir(src.parent)  # mypy reads pyproject.toml's [tool.mypy] from here
        try:
            options = [str(p.relative_to(src.parent)) for p in sources]
            try:
                extensions = mypycify(options, opt_level="3", target_dir=str(work / "c"))
            except SystemExit:
                # a wheel's isolated build environment has mypy but not the project's dependencies (nor
                # the pydantic plugin pyproject.toml names): their types are then Any, which compiles to
                # the same generic operations the interpreter does
                print("build_native: mypy failed with the project's configuration; again with a minimal one",
                      file=sys.stderr)
                config = work / "mypy.ini"
                # the modules not compiled are only read for their types: errors there (a pydantic model
                # checked without its plugin) do not matter to the compiled code
                config.write_text("[mypy]\npython_version = 3.11\nignore_missing_imports = True\n"
                                  "[mypy-blendcc.*]\nignore_errors = True\n"
                                  + "".join(f"[mypy-{native.module_name(s)}]\nignore_errors = False\n"
                                            for s in native.COMPILED_SOURCES))
                extensions = mypycify(["--config-file", str(config), *options], opt_level="3",
                                      target_dir=str(work / "c"))
            dist = Distribution({"name": "blendcc-native", "ext_modules": extensions})
            dist.script_args = ["build_ext", "--build-lib", str(work / "lib"), "--build-temp", str(work / "obj")]
            dist.parse_command_line()
            dist.run_commands()
        finally:
            os.chdir(cwd)
        lib = work / "lib"
        modules = {}
        for rel in native.COMPILED_SOURCES:
            name = native.module_name(rel)
            file = Path(*name.split(".")).with_suffix("").as_posix() + ext_suffix
            if not (lib / file).is_file():
                raise RuntimeError(f"mypyc produced no {file}")
            modules[name] = {"source": rel, "sha256": hashes[rel], "file": file}
        support = {p.name.removesuffix(ext_suffix): p.name for p in lib.glob(f"*__mypyc{ext_suffix}")}
        manifest = {"ext_suffix": ext_suffix, "modules": modules, "support": support}
        staged = out.with_name(out.name + ".new")
        shutil.rmtree(staged, ignore_errors=True)
        for info in [*modules.values(), *({"file": f} for f in support.values())]:
            target = staged / info["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(lib / info["file"], target)
        (staged / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        shutil.rmtree(out, ignore_errors=True)
        staged.rename(out)
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the directory holding the blendcc package")
    parser.add_argument("--out", type=Path, default=None, help="default: <src>/blendcc/_compiled")
    args = parser.parse_args()
    src = args.src.resolve()
    out = (args.out or src / "blendcc" / "_compiled").resolve()
    start = time.monotonic()
    try:
        manifest = build(src, out)
    except (Exception, SystemExit) as exc:
        print(f"build_native: mypyc build failed ({exc}); blendcc runs its pure Python modules", file=sys.stderr)
        return 1
    print(f"build_native: {len(manifest['modules'])} modules compiled into {out} "
          f"in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
