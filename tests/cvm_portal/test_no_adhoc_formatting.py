"""No figure a user reads is formatted by hand: everything goes through cvm_portal/formatting.py
(``{% load cvm_format %}`` in templates), so it reads "12 345,50 zł" in Polish and
"PLN 12,345.50" in English.

The walk fails naming file:line for ``|floatformat``, ``|date:"<format>"`` (a display format
chosen by hand), a literal "PLN" in a template, and in Python f-string/%-format specs with
grouping or fixed decimals or ``strftime(``. Machine formats are allowed where listed below,
with the reason.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON_DIRS = ["campaigns", "channels", "training", "cvm_portal"]

TEMPLATE_PATTERNS = [
    (re.compile(r"\|floatformat"), "|floatformat: use |number, |percent or |money"),
    # ISO formats ("c", "Y-m-d", "Y-m") are for machines: <input> values, URLs, <time datetime>.
    (re.compile(r"\|date:([\"'])(?!(c|Y-m-d|Y-m)\1)[^\"']*\1"), '|date:"…": use |day or |when'),
    (re.compile(r"\|time:[\"'][^\"']*[\"']"), '|time:"…": use |clock'),
    (re.compile(r"\bPLN\b|\bzł\b"), "a literal currency: use |money"),
    (re.compile(r"\}\}\s?%(?!\})"), "a per-cent sign after a figure: use |percent_points"),
]
PYTHON_PATTERNS = [
    (
        re.compile(r"\{[^{}\n]*:[^{}\n]*(,|\.\d+[fg%]|[g%])\}"),
        "format spec: use formatting.number/money/percent",
    ),
    (re.compile(r"%\(\w+\)\.\d+f|%\.\d+f"), "%.Nf: use formatting.number"),
    (re.compile(r"%\(\w+\)[ds]\s?%%"), "a per-cent sign after a figure: use formatting.percent"),
    (re.compile(r"\.strftime\("), "strftime: use formatting.date/datetime"),
    (
        re.compile(r"(date|time)_format\([^()]*,\s*[\"'](?![A-Z_]+[\"'])"),
        "a hand-picked date format: use formatting.date/day_month/time",
    ),
]

# Files (relative to the project) allowed to format by hand, and why.
ALLOWED_FILES = {
    # Machine formats: spreadsheets and scripts read these, not people.
    "campaigns/loads/files.py": "parses YYYYMMDD file names (strptime/strftime of a machine date)",
    "campaigns/audit/views.py": "CSV export: ISO dates and dot decimals for spreadsheets",
    "channels/bonus/statements.py": "payroll CSV (payroll_csv): dot decimals for spreadsheets",
    "campaigns/results/exports.py": "a file name's time stamp (YYYYMMDD-HHMM)",
    "training/reports.py": "CSV report: ISO dates for spreadsheets",
    "channels/outbound/views.py": "an <input min> value (ISO) and CSV coordinates",
    "cvm_portal/formatting.py": "the one place that formats",
    "cvm_portal/templatetags/cvm_format.py": "the filters themselves",
}
# Whole folders: operator consoles and benchmarks print English for engineers, not agents.
ALLOWED_PARTS = ("/migrations/", "/management/commands/", "/bench/", "/demo")


def adhoc_formatting(path: Path, text: str) -> list[str]:
    """Every line of ``text`` that formats a figure by hand, as "file:line: why"."""
    patterns = TEMPLATE_PATTERNS if path.suffix == ".html" else PYTHON_PATTERNS
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if path.suffix == ".py" and line.lstrip().startswith(("#", "log.", "logger.")):
            continue
        for pattern, why in patterns:
            if pattern.search(line):
                found.append(f"{path}:{number}: {why}: {line.strip()[:100]}")
    return found


def _sources():
    yield from sorted((ROOT / "templates").rglob("*.html"))
    for folder in PYTHON_DIRS:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _allowed(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return relative in ALLOWED_FILES or any(part in "/" + relative for part in ALLOWED_PARTS)


def test_no_template_or_message_formats_figures_by_hand():
    found = []
    for path in _sources():
        if not _allowed(path):
            found += adhoc_formatting(path, path.read_text(encoding="utf-8"))
    assert not found, "Format through cvm_portal/formatting.py:\n" + "\n".join(found)


def test_the_walk_finds_a_planted_example(tmp_path):
    template = tmp_path / "page.html"
    python = tmp_path / "notice.py"
    template_text = (
        '<p>{{ x|floatformat:2 }} PLN · {{ d|date:"j M" }}</p>\n<p>{{ d|day }}</p>\n'
        "<p>{{ r }} % · {{ v }} zł · {{ d|date:'D j M' }}</p>\n"
        '<input type="date" value="{{ d|date:\'Y-m-d\' }}"><time datetime="{{ d|date:"c" }}">'
    )
    python_text = (
        'msg = _("worth %(v)s") % {"v": f"{value:,.0f}"}\nwhen = at.strftime("%Y")\n'
        'share = f"{rate:.1%} of {needed:g}"\nlabel = f"{code}: {name}"\n'
        'day = formats.date_format(d, "j M")\nok = formats.date_format(d, "DATE_FORMAT")\n'
        'rate = _("likely to accept: %(p)d %%") % {"p": p}'
    )
    template_hits = [hit.split(": ")[0] for hit in adhoc_formatting(template, template_text)]
    assert template_hits == [f"{template}:1"] * 3 + [f"{template}:3"] * 3
    assert [hit.split(": ")[0] for hit in adhoc_formatting(python, python_text)] == [
        f"{python}:1",
        f"{python}:2",
        f"{python}:3",
        f"{python}:5",
        f"{python}:7",
    ]


def test_the_allowed_files_exist():
    """A renamed file must not leave a stale entry behind that would excuse a newcomer."""
    missing = [name for name in ALLOWED_FILES if not (ROOT / name).exists()]
    assert not missing
