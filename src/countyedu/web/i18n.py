"""Translations: the one catalogue (countyedu/locale, also read without Django by countyedu.messages) ships
with the package; its compiled .mo files are made on start into the data dir (no gettext tools needed on
the machine)."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation.reloader import translation_file_changed

from countyedu.messages import LOCALE_DIR

SOURCE = LOCALE_DIR


def compiled_dir() -> Path:
    return Path(settings.DATA_DIR) / "locale"


def compile_messages() -> None:
    """Write each .po as .mo under the data dir's locale folder when missing or older."""
    for po in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo = compiled_dir() / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        polib.pofile(str(po)).save_as_mofile(str(mo))
        # apps set up before this one may have loaded the catalogs already (without this file)
        translation_file_changed(None, mo)
