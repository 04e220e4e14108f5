"""Accessibility checks in browser tests: axe-core (the front end's pinned dev dependency) run in a Playwright page.

``check_axe(page)`` injects ``node_modules/axe-core/axe.min.js`` and returns the WCAG 2 A/AA violations;
``assert_accessible(page)`` fails listing the serious and critical ones (rule id, impact, targets, help).
axe reads open shadow roots too (the web-chat widget lives in one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from blendcc.api import routes_widget

AXE_JS = routes_widget.WEB / "node_modules" / "axe-core" / "axe.min.js"
#: the rule sets run: WCAG 2.0, 2.1 and 2.2, levels A and AA
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BLOCKING = ("serious", "critical")

_RUN = """async ([context, tags]) => {
  const result = await window.axe.run(context ?? document, {runOnly: {type: "tag", values: tags},
                                                           resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                                      targets: v.nodes.map(n => n.target),
                                      summaries: v.nodes.map(n => n.failureSummary)}));
}"""


def axe_source() -> str:
    """The axe-core script; fails (never skips) when the front end's dev dependencies are not installed."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in src/blendcc/web (`make frontend`)", pytrace=False)
    return Path(AXE_JS).read_text(encoding="utf-8")


def check_axe(page: Any, context: str | dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The WCAG 2 A/AA violations axe finds in ``page`` (or in ``context``: a CSS selector or an axe context
    object such as ``{"include": [...], "exclude": [...]}``). Each is a dict with ``id``, ``impact``,
    ``help``, ``helpUrl``, ``targets`` (one selector path per failing node) and ``summaries``."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluated over the DevTools protocol: the page's Content-Security-Policy (script-src 'self')
        # refuses an injected <script> tag, and must stay as it is for the check to mean something
        page.evaluate(axe_source() + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate(_RUN, [context, list(WCAG_TAGS)])
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The serious and critical violations."""
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation: id, impact, help and the first few failing nodes."""
    lines = []
    for v in violations:
        targets = ", ".join(" >> ".join(map(str, t)) if isinstance(t, list) else str(t) for t in v["targets"][:5])
        more = f" (+{len(v['targets']) - 5} more)" if len(v["targets"]) > 5 else ""
        lines.append(f"{v['id']} [{v['impact']}] {v['help']}: {targets}{more}")
    return "\n".join(lines)


def assert_accessible(page: Any, context: str | dict[str, Any] | None = None, what: str = "the page") -> None:
    """Fail listing every serious or critical WCAG 2 A/AA violation in ``page`` (or ``context``)."""
    found = blocking(check_axe(page, context))
    if found:
        pytest.fail(f"axe-core: {len(found)} serious/critical accessibility violations in {what}:\n"
                    + describe(found), pytrace=False)
