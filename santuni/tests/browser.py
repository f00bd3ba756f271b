"""Playwright driving the system's Chromium, never a downloaded browser.

Without Chromium the browser tests are skipped with a message saying how to run them;
with SANTUNI_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails them instead.
"""

import os
import shutil
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("SANTUNI_CHROMIUM") or shutil.which("chromium")


def require_chromium() -> str:
    path = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path:
        return path
    message = (
        "Browser tests need Debian's Chromium: run `apt-get install -y chromium` "
        "(or set SANTUNI_CHROMIUM to a Chromium binary)."
    )
    if os.environ.get("SANTUNI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SANTUNI_REQUIRE_BROWSER=1 but no browser: {message}", pytrace=False)
    pytest.skip(message)


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Runs the vendored axe-core on the page; returns the violations of those impacts."""
    # Evaluated through the DevTools protocol: a <script> tag would break the pages' CSP.
    page.evaluate(f"() => {{ {AXE.read_text()}\n; window.axe = axe; }}")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
