"""Take the README's screenshot: a page of a running Kohorte, in Debian's chromium.

    .venv/bin/python -m tests.browser.screenshot http://127.0.0.1:8000/ausschreibungen/<slug>/ docs/screenshot.png

Not a test (pytest collects only test_*.py); run it against `make run` with the demo data.
"""

import argparse
import sys

from playwright.sync_api import sync_playwright

from .chromium import CHROMIUM, CHROMIUM_ARGS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("output")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=760)
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="de-DE", viewport={"width": args.width, "height": args.height})
        response = page.goto(args.url)
        if response is None or not response.ok:
            print(f"{args.url}: {response.status if response else 'no response'}", file=sys.stderr)
            return 1
        page.screenshot(path=args.output)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
