"""A breadth-first walk over the pages a signed-in user can reach, running axe-core on each.

Pages are discovered, not listed: new pages appear as the portal grows, and a hard-coded list
would quietly stop covering them. From the home page the walk follows same-origin links found
anywhere on each page (the navigation and the bodies), one page per URL pattern: numeric ids
and codes are folded (``/admin/campaigns/offer/12/change/`` and ``.../13/change/`` are one
pattern) and query strings dropped, so one change form per model is checked, not every row.
Links that would change something, leave the portal or download a file are not followed.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from axe_playwright_python.sync_playwright import Axe

# What the issue asks for: WCAG 2.0 and 2.1, levels A and AA.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# Links not followed: they sign out, change the language or data, download, or leave the HTML
# portal (the API's own pages are for API clients and have their own renderer).
SKIP = re.compile(
    r"(/logout|/i18n/|/setlang|/delete/|/export|/download|\.csv|\.json|\.xlsx|\.pdf"
    r"|^/api/|/admin/r/|/admin/jsi18n|/static/|/media/|/health/|/logout/)",
    re.IGNORECASE,
)
_HAS_DIGIT = re.compile(r"\d")
# Checked after everything else: an app's admin index repeats the admin index, and an add form
# the change form of its model.
LATER = re.compile(r"^/admin/[^/]+/$|/add/$")
# Rows past the tenth of a long table repeat the markup of the first ten; checking them only
# costs time (a changelist of 100 rows takes axe seconds).
CONTEXT = {"exclude": [["tbody > tr:nth-child(n+11)"]]}

axe = Axe()


def pattern(path: str) -> str:
    """The URL's pattern: each path segment holding a digit (an id, a code, a date) folded."""
    return "/".join("<id>" if _HAS_DIGIT.search(seg) else seg for seg in path.split("/"))


@dataclass
class Finding:
    """One axe violation on one page."""

    url: str
    rule: str
    impact: str
    targets: list[str]
    help: str

    def __str__(self) -> str:
        where = ", ".join(self.targets[:4]) + (" …" if len(self.targets) > 4 else "")
        return f"{self.url}  [{self.rule}, {self.impact}]  {self.help}  → {where}"


@dataclass
class Walk:
    """What one walk checked and found; ``seen`` is shared between walks to check a pattern once."""

    origin: str
    seen: set[str] = field(default_factory=set)
    checked: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def check(self, page, label: str = "") -> None:
        """Run axe on the page as it is now (a state reached by clicking counts as its own page)."""
        started = time.monotonic()
        results = axe.run(page, context=CONTEXT, options=AXE_OPTIONS).response
        name = page.url.removeprefix(self.origin) + (f" ({label})" if label else "")
        if os.environ.get("AXE_WALK_VERBOSE"):
            print(f"  {time.monotonic() - started:5.2f}s {len(results['violations'])} {name}")
        self.checked.append(name)
        title = page.title()
        if len(title) > 120 or "<" in title:  # axe checks a title exists, not that it reads well
            self.findings.append(
                Finding(name, "document-title-readable", "serious", ["title"], title[:80])
            )
        for violation in results["violations"]:
            self.findings.append(
                Finding(
                    url=name,
                    rule=violation["id"],
                    impact=violation.get("impact") or "",
                    targets=[", ".join(map(str, n["target"])) for n in violation["nodes"]],
                    help=violation["help"],
                )
            )

    def links(self, page) -> list[str]:
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        found = []
        for href in hrefs:
            url, _fragment = urldefrag(href)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != self.origin or SKIP.search(parts.path):
                continue
            found.append(url)
        return found

    def crawl(self, page, start: str = "/", cap: int = 60) -> None:
        """Visit up to ``cap`` new patterns breadth-first from ``start``, checking each."""
        queue = deque([self.origin + start])
        later: deque[str] = deque()
        visited = 0
        first = True  # the start (each role's home) is checked whoever saw it before
        while (queue or later) and visited < cap:
            url = queue.popleft() if queue else later.popleft()
            key = pattern(urlsplit(url).path)
            if key in self.seen and not first:
                continue
            self.seen.add(key)
            response = page.goto(url)
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            if response.status == 405:  # a POST-only view reached by a link: not a page
                continue
            landed = pattern(urlsplit(page.url).path)  # after a redirect
            if landed != key and landed in self.seen and not first:
                continue
            self.seen.add(landed)
            first = False
            visited += 1
            self.check(page)
            for link in self.links(page):
                (later if LATER.search(urlsplit(link).path) else queue).append(link)
