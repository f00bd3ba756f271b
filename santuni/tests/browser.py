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


# Every button, form control (a radio or checkbox with its label) and stand-alone link that is
# shown, with its size in CSS px. A link is stand-alone unless it sits in a sentence: words of
# the same line of text outside links, buttons and badges. Sizes of a radio or checkbox are
# those of the box around it and its labels, the area a tap toggles.
TAP_TARGETS_JS = """() => {
  const inline = (el) => getComputedStyle(el).display === "inline";
  const container = (el) => {
    let c = el.parentElement;
    while (c && inline(c)) c = c.parentElement;
    return c;
  };
  const inSentence = (link) => {
    if (!inline(link)) return false;
    const box = container(link);
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let words = "";
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent.closest("a, button, label, .badge")) continue;
      let p = parent, same = true;
      while (p && p !== box) { if (!inline(p)) { same = false; break; } p = p.parentElement; }
      if (same) words += node.textContent;
    }
    return /\\p{L}{2,}/u.test(words);
  };
  const union = (rects) => {
    const r = rects.filter((x) => x.width && x.height);
    if (!r.length) return null;
    const left = Math.min(...r.map((x) => x.left)), right = Math.max(...r.map((x) => x.right));
    const top = Math.min(...r.map((x) => x.top)), bottom = Math.max(...r.map((x) => x.bottom));
    return {left, right, top, bottom, width: right - left, height: bottom - top};
  };
  const shown = (el) => {
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.display === "none") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0;
  };
  const found = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el)) continue;
    let rect;
    if (el.matches("input[type=radio], input[type=checkbox]")) {
      const label = el.closest("label");
      rect = label ? label.getBoundingClientRect()
        : union([el, ...el.labels].map((x) => x.getBoundingClientRect()));
    } else if (el.matches("a") && inline(el)) {
      if (inSentence(el)) continue;
      const parts = [...el.getClientRects()];
      const tallest = Math.max(...parts.map((x) => x.height));
      rect = {width: el.getBoundingClientRect().width, height: tallest};
    } else {
      rect = el.getBoundingClientRect();
    }
    found.push({
      tag: [el.tagName.toLowerCase(), ...el.classList].join("."),
      text: (el.innerText || el.value || el.name || "").trim().replace(/\\s+/g, " ").slice(0, 40),
      width: Math.round(rect.width * 10) / 10,
      height: Math.round(rect.height * 10) / 10,
      emergency: !!el.closest(".emergency"),
    });
  }
  return found;
}"""

MIN_TAP_PX = 44


def tap_targets(page) -> list[dict]:
    """Every in-scope tap target on the page with its width and height in CSS px."""
    return page.evaluate(TAP_TARGETS_JS)


def small_tap_targets(page, minimum: float = MIN_TAP_PX) -> list[dict]:
    """The targets a finger could miss: narrower or shorter than 44 CSS px."""
    # Half a pixel of rounding: a 43.6 px box is drawn as 44 device pixels at 1x.
    return [t for t in tap_targets(page) if min(t["width"], t["height"]) < minimum - 0.5]


PHONE_WIDTH = 360


def phone_page_problems(page, width: int = PHONE_WIDTH) -> dict[str, object]:
    """What stops the page working on a phone `width` CSS px wide, by kind; empty when none:
    targets under 44×44 px, sideways scrolling, serious or critical axe violations."""
    problems: dict[str, object] = {}
    small = small_tap_targets(page)
    if small:
        problems["small_targets"] = small
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > width:
        problems["scroll_width"] = scroll_width
    violations = axe_violations(page)
    if violations:
        problems["axe"] = violations
    return problems
