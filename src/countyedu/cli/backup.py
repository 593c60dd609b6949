"""`countyedu backup OUT` and `countyedu restore IN`: a whole data dir in one verified archive
(web/backup.py), made while the app may be serving."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.common import DataDir, Fmt, Format, _django, _json, err, out, table

ArchiveOut = Annotated[Path, typer.Argument(help="the archive to write (.tar.gz)")]
ArchiveIn = Annotated[Path, typer.Argument(help="a backup archive written by `countyedu backup`")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="replace a data dir that is not empty (kept beside it, renamed)")
]


def backup(archive: ArchiveOut, data_dir: DataDir = None, fmt: Format = Fmt.table) -> None:
    """Back up the data dir (census, web database, uploads, stored runs, secret key) into one archive
    with a manifest of sizes and SHA-256; the app may keep serving meanwhile."""
    _django(data_dir)
    from countyedu.web.backup import backup as make

    with err.status("备份中 / backing up…"):
        manifest = make(archive)
    if fmt is Fmt.json:
        _json({"archive": str(archive), **manifest})
        return
    _summary(manifest, f"已备份到 {archive} / backed up to {archive}")


def restore(archive: ArchiveIn, data_dir: DataDir = None, force: ForceOpt = False, fmt: Format = Fmt.table) -> None:
    """Restore a backup into the data dir: every file verified against the manifest, the new data dir
    built beside it and swapped in; a data dir that is not empty only with --force."""
    import os

    from countyedu.census.store import data_dir_from
    from countyedu.web.backup import restore as put

    target = data_dir_from(data_dir)
    # Django is set up only after the swap (its settings write the secret key into the data dir)
    os.environ["COUNTYEDU_DATA"] = str(target.resolve())
    with err.status("恢复中 / restoring…"):
        done = put(archive, target, force=force)
    if fmt is Fmt.json:
        _json(
            {"data_dir": str(done.data_dir), "replaced": str(done.replaced) if done.replaced else None, **done.manifest}
        )
        return
    _summary(done.manifest, f"已恢复到 {done.data_dir} / restored into {done.data_dir}")
    if done.replaced:
        out.print(f"原数据目录改名保留在 / the previous data dir is kept as: {done.replaced}")


def _summary(manifest: dict[str, Any], title: str) -> None:
    census, db = manifest.get("census") or {}, manifest["database"]
    t = table(title=title)
    t.add_column("项目 item")
    t.add_column("内容 content", overflow="fold")
    t.add_row("普查版本 census versions", ", ".join(census.get("versions", [])) or "—")
    if db:
        t.add_row("网站数据库 web database", f"{db['engine']} ({db['file']})")
        subs = ", ".join(f"{k} {n}" for k, n in db["records"]["submissions"].items()) or "—"
        t.add_row("填报 submissions", subs)
        t.add_row("用户 users / 轮次 rounds", f"{db['records']['users']} / {db['records']['rounds']}")
    else:
        t.add_row("网站数据库 web database", "— (网站从未在此数据目录启动 / the web app never ran on it)")
    size = sum(f["size"] for f in manifest["files"])
    t.add_row("文件 files", f"{len(manifest['files'])} ({size / 1e6:.1f} MB)")
    out.print(t)
