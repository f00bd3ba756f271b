"""Every string a person reads has a Malay and an English text, compiled and up to date."""

import os
import shutil
import subprocess
import sys

import polib
import pytest
from django.utils import translation

from santuni.lib.compile_messages import LOCALE_DIR

PROJECT = LOCALE_DIR.parent.parent


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if e.obsolete is False and (not e.translated() or e.fuzzy)]


@pytest.mark.parametrize("language", ["ms", "en"])
def test_every_message_has_a_text_in_both_languages(language):
    missing = untranslated(catalogue(language))
    assert missing == [], f"{len(missing)} strings lack a {language} text: {missing[:10]}"


@pytest.mark.parametrize("language", ["ms", "en"])
def test_compiled_catalogues_match_their_sources(language):
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"run `make messages`: {entry.msgid!r} is not compiled"
        msgstr, plural = compiled[key]
        if entry.msgid_plural:
            assert {int(k): v for k, v in plural.items()} == {
                int(k): v for k, v in entry.msgstr_plural.items()
            }
        else:
            assert msgstr == entry.msgstr, f"run `make messages`: {entry.msgid!r} changed"


def test_malay_is_what_django_serves():
    with translation.override("ms"):
        assert translation.gettext("Search") == "Cari"
    with translation.override("en"):
        assert translation.gettext("Search") == "Search"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogues_hold_every_string_in_the_code(tmp_path):
    """Extracts the strings from a copy of the code and looks each one up in the catalogues."""
    copy = tmp_path / "santuni"
    shutil.copytree(PROJECT / "santuni", copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "ms",
            "--no-obsolete",
            "--settings=santuni.settings",
            f"--pythonpath={tmp_path}",
        ],
        cwd=copy,
        env={**os.environ, "SANTUNI_TESTING": "1"},
        check=True,
        capture_output=True,
    )
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/ms/LC_MESSAGES/django.po"))}
    for language in ["ms", "en"]:
        known = {e.msgid for e in catalogue(language) if e.translated() and not e.fuzzy}
        missing = sorted(extracted - known)
        assert missing == [], f"run `make messages` and translate to {language}: {missing[:10]}"
