"""The Polish catalogue is complete and the compiled one matches it.

A string added to the code without a translation shows in English on a Polish page; a
catalogue edited without compiling shows the old translation. Both are caught here: the first
by running ``makemessages`` over a copy of the sources (GNU gettext's xgettext is needed, as
for ``makemessages`` itself), the second by comparing ``django.mo`` with ``django.po``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SOURCES = ["campaigns", "channels", "training", "cvm_portal", "templates", "locale"]


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _translations(entry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def test_every_message_in_the_polish_catalogue_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert "nplurals=4" in po.metadata["Plural-Forms"]


def test_the_compiled_catalogue_matches_the_source_catalogue():
    po = {_key(e): _translations(e) for e in polib.pofile(str(PO)).translated_entries()}
    mo = {_key(e): _translations(e) for e in polib.mofile(str(MO)) if e.msgid}
    missing = sorted(set(po) - set(mo))
    assert not missing, (
        f"{len(missing)} translations are not compiled, e.g. {missing[:3]}; "
        "run: python manage.py compilemessages"
    )
    stale = [k for k in po if po[k] != mo[k]]
    assert not stale, f"compiled translations differ from django.po for {stale[:3]}"


def test_makemessages_finds_no_message_missing_from_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is needed: apt-get install gettext")
        pytest.skip("GNU gettext (xgettext) is not installed: apt-get install gettext")
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "CVM_SQLITE_PATH": str(tmp_path / "unused.sqlite3")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "pl", "--add-location=file"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "pl" / "LC_MESSAGES" / "django.po"))
    committed = {_key(e) for e in polib.pofile(str(PO)).translated_entries()}
    new = [e.msgid for e in fresh if not e.obsolete and _key(e) not in committed]
    assert not new, (
        f"{len(new)} messages in the code are not translated in locale/pl, e.g. {new[:5]}; "
        "run: python manage.py makemessages -l pl --add-location=file, translate, then "
        "compilemessages"
    )
