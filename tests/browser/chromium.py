"""Debian's chromium, as the browser tests and the README screenshot launch it.

Playwright never downloads a browser here (`playwright install` is not used): it drives
the system's /usr/bin/chromium, which `make test` installs from Debian's packages.
"""

import os

CHROMIUM = os.environ.get("KOHORTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
