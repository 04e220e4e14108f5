"""``mypyc_attr`` for compiled classes (ADR 0061), with no runtime dependency on mypy_extensions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")

if TYPE_CHECKING:
    from mypy_extensions import mypyc_attr as mypyc_attr  # noqa: PLC0414 -- re-exported; what mypyc sees (it reads the decorator at compile time)
else:
    def mypyc_attr(*_args: Any, **_kwargs: Any) -> Callable[[T], T]:
        """At run time (pure or compiled) the decorator changes nothing."""
        return lambda cls: cls
