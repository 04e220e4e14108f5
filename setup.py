"""Wheel build hook: the hot pure-core modules compiled by mypyc into blendcc/_compiled (ADR 0061)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithCompiledCore(build_py):
    """``build_py``, then ``tools/build_native.py`` into the wheel's ``blendcc/_compiled``.

    Not for an editable install (``make native`` builds the tree's own copy, rebuilt when a source changes);
    a failed compile leaves a wheel that runs its pure Python modules."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        out = Path(self.build_lib) / "blendcc" / "_compiled"
        done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_native.py"), "--src", str(ROOT / "src"),
                               "--out", str(out)], check=False, capture_output=True, text=True)
        lines = (done.stdout + done.stderr).strip().splitlines()
        print("\n".join(lines[-1:] if done.returncode == 0 else lines[-25:]), file=sys.stderr)
        if done.returncode != 0:
            print("warning: the compiled core was not built; the wheel runs pure Python", file=sys.stderr)


class BinaryDistribution(Distribution):
    """The wheel holds extension modules: tag it for this interpreter and platform."""

    def has_ext_modules(self) -> bool:
        return True


setup(cmdclass={"build_py": BuildPyWithCompiledCore}, distclass=BinaryDistribution)
