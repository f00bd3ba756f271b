"""Result-card and page heights on a 360 px phone, and the tap targets under 44 px.

Run against a server with the demo data (`make run`, or runserver after load_demo_data):

    .venv/bin/python -m tools.cards http://127.0.0.1:8000

For each search it prints, in Malay and English, the number of cards on the first page, the
median and tallest card, the page's height and how many tap targets are under 44×44 CSS px.
"""

import argparse
import statistics
import sys

from santuni.tests.browser import CHROMIUM_ARGS, require_chromium, small_tap_targets

SEARCHES = {
    "district, no words": "cari?q=&daerah=seremban",
    "bantuan": "cari?q=bantuan",
}
LANGUAGES = {"ms": "", "en": "en/"}
CARD = "ol.results > li"


def measure(page, url: str) -> dict:
    page.goto(url)
    heights = page.eval_on_selector_all(
        CARD, "cards => cards.map(c => c.getBoundingClientRect().height)"
    )
    return {
        "cards": len(heights),
        "median": statistics.median(heights) if heights else 0,
        "tallest": max(heights, default=0),
        "page": page.evaluate("() => document.documentElement.scrollHeight"),
        "small": small_tap_targets(page),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--show", action="store_true", help="list the small tap targets")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        print(f"{'search':<20} lang cards median tallest   page small-targets")
        for name, path in SEARCHES.items():
            for language, prefix in LANGUAGES.items():
                m = measure(page, f"{args.base.rstrip('/')}/{prefix}{path}")
                print(
                    f"{name:<20} {language:<4} {m['cards']:>5} {m['median']:>6.0f}"
                    f" {m['tallest']:>7.0f} {m['page']:>6} {len(m['small']):>5}"
                )
                if args.show:
                    for target in m["small"]:
                        print("    ", target)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
