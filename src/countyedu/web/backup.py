"""Backup and restore of a whole data dir, while the app may be serving.

A backup is one .tar.gz: ``manifest.json`` first (format, countyedu version, census versions, the
web records counted, and every file with its size and SHA-256), then the files:

- ``census.duckdb``: a consistent copy made through a read connection (ATTACH read-only, COPY FROM
  DATABASE) — it waits for a running import like any reader, and holds writers off while it copies;
- the web database: SQLite through sqlite3's online backup API (``web.sqlite3``); PostgreSQL
  (DATABASE_URL) as a Django ``dumpdata`` of the app's tables (``web-database.json``), loaded into the
  database DATABASE_URL names on restore;
- every other file of the data dir (uploads, stored assessments and planning/funding runs, the secret
  key, workbooks), except what the app derives again on start (``static/``, ``locale/``) and
  temporary files of a write in progress.

The web database is copied before the census: an approval commits the census first, so the census
copy may hold a version whose approval the database copy lacks — the restored app's start completes
it (web/recovery.py) — never the other way round.

Restore verifies the manifest (every member listed, sizes and SHA-256, no other member, no path
outside the data dir), builds the new data dir beside the target, then swaps it in; a data dir that
is not empty is replaced only with ``force`` and is kept beside it, renamed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings

from countyedu.census.importer import source_digest
from countyedu.census.store import STORE_FILE, CensusStore, open_duckdb
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

FORMAT = "countyedu-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "web.sqlite3"
DUMP_FILE = "web-database.json"
# derived again on start (collectstatic's target, compiled messages) or held by a running process
SKIPPED_DIRS = {"static", "locale"}
SKIPPED_SUFFIXES = (".tmp", ".gate", ".wal", "-wal", "-shm", "-journal")
# the app's own tables in a PostgreSQL dump (content types and permissions are made by migrate)
DUMP_EXCLUDE = ["contenttypes", "auth.permission", "admin.logentry", "sessions"]


class BackupError(CountyEduError):
    """A backup that cannot be made, or an archive that cannot be restored (corrupt, foreign, refused)."""


@dataclass(frozen=True)
class Restored:
    """What a restore put in place."""

    data_dir: Path
    manifest: dict[str, Any]
    replaced: Path | None  # the data dir that was there before (with force), renamed


# ------------------------------------------------------------------------------------------ backup


def backup(out: Path) -> dict[str, Any]:
    """Write the backup archive of the app's data dir (settings.DATA_DIR) to ``out``; returns its manifest."""
    data = Path(settings.DATA_DIR)
    if not (data / STORE_FILE).exists() and not (data / SQLITE_FILE).exists():
        raise BackupError(
            Msg("nothing to back up in {data}: no census and no web database", data=data),
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".countyedu-backup-", dir=out.parent) as tmp:
        stage = Path(tmp)
        database = _copy_database(data, stage)
        census = _copy_census(data, stage)
        _copy_files(data, stage)
        files = [_entry(stage, p) for p in sorted(_files(stage)) if not p.name.endswith(SKIPPED_SUFFIXES)]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "countyedu": package_version("countyedu"),
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "data_dir": str(data),
            "census": census,
            "database": database,
            "files": files,
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            for f in files:
                tar.add(stage / f["path"], arcname=f["path"], recursive=False)
        os.replace(partial, out)
    return manifest


def _copy_database(data: Path, stage: Path) -> dict[str, Any] | None:
    from django.db import connection

    if connection.vendor == "sqlite" and not Path(settings.DATABASES["default"]["NAME"]).exists():
        return None  # the web app was never started on this data dir (a CLI-only census)
    records = _records()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=20)
        with closing(source) as src, closing(sqlite3.connect(stage / SQLITE_FILE)) as dst:
            src.backup(dst)  # the online backup API: one consistent snapshot while others write
        return {"engine": "sqlite", "file": SQLITE_FILE, "records": records}
    from django.core.management import call_command

    with (stage / DUMP_FILE).open("w", encoding="utf-8") as fh:
        call_command(
            "dumpdata", natural_foreign=True, natural_primary=True, exclude=DUMP_EXCLUDE, stdout=fh, verbosity=0
        )
    return {"engine": connection.vendor, "file": DUMP_FILE, "method": "dumpdata", "records": records}


def _records() -> dict[str, Any]:
    """The web records counted, to compare after a restore."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from countyedu.web.models import AuditLog, CollectionRound, Submission

    by_status = Submission.objects.values("status").annotate(n=Count("pk")).order_by("status")
    return {
        "users": get_user_model().objects.count(),
        "rounds": CollectionRound.objects.count(),
        "submissions": {r["status"]: r["n"] for r in by_status},
        "audit_rows": AuditLog.objects.count(),
    }


def _copy_census(data: Path, stage: Path) -> dict[str, Any] | None:
    store = CensusStore(data)
    if not store.exists():
        return None
    target = stage / STORE_FILE

    def opener() -> Any:
        import duckdb

        con = duckdb.connect()
        con.execute(f"ATTACH '{_sql_path(store.path)}' AS src (READ_ONLY)")
        return con

    con = open_duckdb(store.path, read_only=True, opener=opener)  # through the writers' gate, like a reader
    try:
        con.execute(f"ATTACH '{_sql_path(target)}' AS dst")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("DETACH dst")
    finally:
        con.close()
    copied = CensusStore(stage)
    latest = copied.latest()
    return {
        "file": STORE_FILE,
        "versions": [v.version_id for v in copied.versions()],
        "latest": latest.version_id if latest else None,
    }


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")


def _copy_files(data: Path, stage: Path) -> None:
    for src in _files(data):
        rel = src.relative_to(data)
        if rel.parts[0] in SKIPPED_DIRS or str(rel) in (STORE_FILE, SQLITE_FILE) or src.name.endswith(SKIPPED_SUFFIXES):
            continue
        dst = stage / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def _files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_file() and not p.is_symlink():
                yield p


def _entry(stage: Path, p: Path) -> dict[str, Any]:
    return {"path": p.relative_to(stage).as_posix(), "size": p.stat().st_size, "sha256": source_digest(p)}


# ----------------------------------------------------------------------------------------- restore


def restore(archive: Path, data: Path, *, force: bool = False) -> Restored:
    """Restore ``archive`` into the data dir ``data``: verified, built beside it, then swapped in."""
    data = data.resolve()
    if data.exists() and any(data.iterdir()) and not force:
        raise BackupError(
            Msg(
                "{data} is not empty: restore into an empty or new data dir, or pass --force to replace it (the current one is kept beside it, renamed)",
                data=data,
            ),
        )
    data.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{data.name}.restoring-", dir=data.parent))
    umask = os.umask(0)
    os.umask(umask)
    build.chmod(0o777 & ~umask)  # as a directory made by mkdir (mkdtemp's is private)
    try:
        with _open(archive) as tar:
            manifest = _manifest(tar, archive)
            _extract(tar, manifest, build, archive)
        _check_census(build, manifest, archive)
        _check_database(build, manifest, archive)
        dump = manifest["database"] and manifest["database"]["engine"] != "sqlite"
        if dump:
            _prepare_database(build, force=force)  # refused here, before anything is swapped
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    replaced = None
    if data.exists():
        replaced = data.with_name(f"{data.name}.replaced-{dt.datetime.now():%Y%m%d-%H%M%S}")
        os.replace(data, replaced)
    os.replace(build, data)
    if dump:
        _load_dump(data / manifest["database"]["file"])
    return Restored(data, manifest, replaced)


@contextmanager
def _open(archive: Path) -> Iterator[tarfile.TarFile]:
    if not archive.is_file():
        raise BackupError(Msg("no backup archive {archive}", archive=archive))
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 - closed below, after the caller's block
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _corrupt(archive, exc) from exc
    try:
        yield tar
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise _corrupt(archive, exc) from exc
    finally:
        tar.close()


def _corrupt(archive: Path, exc: object) -> BackupError:
    return BackupError(
        Msg("{archive} is not a readable backup archive (damaged or truncated: {exc})", archive=archive, exc=exc),
    )


def _foreign(archive: Path, why: Msg) -> BackupError:
    return BackupError(Msg("{archive} is not a countyedu backup ({why})", archive=archive, why=why))


def _manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise _foreign(archive, Msg("its first member is not {manifest}", manifest=MANIFEST))
    fh = tar.extractfile(first)
    assert fh is not None
    try:
        manifest = json.loads(fh.read())
    except ValueError as exc:
        raise _foreign(archive, Msg("{manifest} is not JSON", manifest=MANIFEST)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _foreign(archive, Msg("{manifest} does not name the format {format}", manifest=MANIFEST, format=FORMAT))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            Msg(
                "{archive} is a backup of format version {value}; this countyedu reads version {FORMAT_VERSION}",
                archive=archive,
                value=manifest.get("format_version"),
                FORMAT_VERSION=FORMAT_VERSION,
            ),
        )
    return manifest


def _extract(tar: tarfile.TarFile, manifest: dict[str, Any], build: Path, archive: Path) -> None:
    expected = {f["path"]: f for f in manifest["files"]}
    seen: set[str] = set()
    for i, member in enumerate(tar):
        name = member.name
        if i == 0:  # the manifest, read already
            continue
        path = PurePosixPath(name)
        if not member.isfile() or path.is_absolute() or ".." in path.parts or name not in expected or name in seen:
            raise _mismatch(archive, name, Msg("is not listed in the manifest"))
        seen.add(name)
        target = build / path
        target.parent.mkdir(parents=True, exist_ok=True)
        src = tar.extractfile(member)
        assert src is not None
        h, size = hashlib.sha256(), 0
        with target.open("wb") as out:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
                out.write(chunk)
        want = expected[name]
        target.chmod(member.mode & 0o777)  # the secret key stays readable by its owner only
        if size != want["size"] or h.hexdigest() != want["sha256"]:
            raise _mismatch(archive, name, Msg("differs from the manifest (size or SHA-256)"))
    missing = sorted(set(expected) - seen)
    if missing:
        raise _mismatch(archive, missing[0], Msg("is missing from the archive"))


def _mismatch(archive: Path, name: str, why: Msg) -> BackupError:
    return BackupError(
        Msg("{archive}: the member {name} {why}; nothing was restored", archive=archive, name=name, why=why)
    )


def _check_census(build: Path, manifest: dict[str, Any], archive: Path) -> None:
    census = manifest.get("census")
    if not census:
        return
    found = [v.version_id for v in CensusStore(build).versions()]
    if found != census["versions"]:
        raise _mismatch(
            archive,
            STORE_FILE,
            Msg("holds versions {found}, not {listed}", found=tuple(found), listed=tuple(census["versions"])),
        )


def _check_database(build: Path, manifest: dict[str, Any], archive: Path) -> None:
    db = manifest["database"]
    configured = "sqlite" if not os.environ.get("DATABASE_URL") else "postgresql"
    if db is None:
        return
    if db["engine"] != configured:
        raise BackupError(
            Msg(
                "{archive} holds a {engine} web database, but this app is configured for {configured} (DATABASE_URL): restore with the same kind of database",
                archive=archive,
                engine=db["engine"],
                configured=configured,
            ),
        )
    if db["engine"] == "sqlite":
        with closing(sqlite3.connect(build / db["file"])) as con:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise _mismatch(archive, db["file"], Msg("fails SQLite's integrity check ({result})", result=ok))


def _prepare_database(build: Path, *, force: bool) -> None:
    """The PostgreSQL database of DATABASE_URL migrated; refused if it holds users, unless ``force``."""
    import django

    os.environ["COUNTYEDU_DATA"] = str(build)  # the settings read the restored secret key (and write nothing else)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "countyedu.web.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if get_user_model().objects.exists() and not force:
        raise BackupError(
            Msg("the PostgreSQL database of DATABASE_URL already holds users: pass --force to replace its records"),
        )


def _load_dump(dump: Path) -> None:
    """The database's records replaced by the dump's, in one transaction."""
    from django.core.management import call_command
    from django.db import transaction

    with transaction.atomic():
        call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(dump), verbosity=0)
