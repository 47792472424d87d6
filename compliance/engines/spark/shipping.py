"""Shipping the registry to the executors, and opening it there.

The driver makes a consistent snapshot of the registry (SQLite's backup
API, scan results stripped), builds the seed index once beside it, and
packs both with the rules folder into one archive that
``SparkContext.addArchive`` unpacks once per executor.  Each Python worker
then opens the snapshot once (``_executor_scanner``, a module-level cache
keyed by the bundle) and maps the index read-only, so the workers of one
executor share its pages.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import __version__
from ...errors import ComplianceError


@dataclass
class Bundle:
    """The archive a run ships, and what the driver learnt building it (for the run summary)."""

    archive: Path
    scan_key: str
    registry_version: str
    works: int
    index_bytes: int


def snapshot_registry(source: Path, dest: Path) -> None:
    """A consistent copy of the registry (SQLite backup API), without scan results.

    Executors need works, fingerprints, publishers and notices; documents and
    findings of earlier scans would only make every executor's copy bigger.
    The backup is consistent even while another process writes the registry.
    """
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(str(dest))
    try:
        src.backup(dst)
        tables = {r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in ("findings", "scanned", "scan_errors", "documents", "scan_runs"):
            if table in tables:
                dst.execute(f"DELETE FROM {table}")
        dst.commit()
        dst.execute("VACUUM")
    finally:
        dst.close()
        src.close()


def build_bundle(registry_path: Path, rules: Any, staging: Path, run_id: str) -> Bundle:
    """The one archive every executor unpacks: the snapshot, its index cache and the rules folder.

    The index is built here once, not per task (the registry's own cache is
    reused when it has one).  The archive's name is unique per run: a session
    refuses a second file of the same name.  (addFile cannot ship a local
    folder to a cluster, hence one archive.)
    """
    from ...registry import Registry

    bundle = staging / "bundle"
    bundle.mkdir()
    snap = bundle / "registry.db"
    snapshot_registry(Path(registry_path), snap)
    cache = Path(registry_path).with_name(Path(registry_path).name + ".index")
    if cache.is_dir():  # the registry's own index cache (keyed by content): reused, not rebuilt
        shutil.copytree(cache, bundle / "registry.db.index", ignore=shutil.ignore_patterns(".*"))
    with Registry(snap, create=False) as reg:
        index, _, _ = reg.build_index(rules.matcher)  # writes registry.db.index/<key>/*.npy beside it
        index_bytes = index.nbytes
        registry_version = reg.registry_version()
        works = reg.work_count()
        reg.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in registry.db itself
        # rollback-journal mode: executors read it even where the unpacked archive is read-only (YARN's
        # localised archives can be), since WAL mode needs a writable folder for its -shm file
        reg.db.execute("PRAGMA journal_mode = DELETE")
    del index
    for p in bundle.glob("registry.db-*"):  # empty WAL and shared-memory files: not shipped
        p.unlink()
    shutil.copytree(rules.directory, bundle / "rules", ignore=shutil.ignore_patterns(".*"))
    archive = staging / f"compliance-{run_id}.tar"
    _tar(bundle, archive)
    shutil.rmtree(bundle)
    scan_key = f"{registry_version}/{rules.version()}/{__version__}"
    return Bundle(archive, scan_key, registry_version, works, int(index_bytes))


def _tar(folder: Path, archive: Path) -> None:
    """An uncompressed tar of *folder*'s contents (the .npy arrays do not compress; unpacking stays fast)."""
    import tarfile

    with tarfile.open(archive, "w") as tar:
        for p in sorted(folder.iterdir()):
            tar.add(p, arcname=p.name)


@dataclass
class _Shipped:
    """What a task needs to find the shipped files (names under SparkFiles) and check it has the right ones."""

    bundle: str  # the archive's name: SparkFiles.get(bundle) is the folder it was unpacked into
    scan_key: str
    max_doc_bytes: int
    batch_docs: int
    batch_bytes: int


#: Per Python worker: one Scanner per shipped snapshot, built on first use (index memory-mapped from the cache).
_SCANNERS: dict[str, Any] = {}


def _executor_scanner(shipped: _Shipped) -> Any:
    """The Scanner over the shipped snapshot, opened once per Python worker process."""
    scanner = _SCANNERS.get(shipped.bundle)
    if scanner is not None:
        return scanner
    from pyspark import SparkFiles

    from ...registry import Registry
    from ...rules import load_rules
    from ...scan import Scanner

    root = Path(SparkFiles.get(shipped.bundle))
    db = root / "registry.db" if _writable(root) else _writable_copy(root, shipped.bundle)
    registry = Registry(db, create=False, readonly=True)
    rules = load_rules(root / "rules")
    scanner = Scanner(registry, rules)
    if scanner.scan_key != shipped.scan_key:
        raise ComplianceError(f"executor scan key {scanner.scan_key} differs from the driver's {shipped.scan_key}: "
                              "the executors run another compliance version or rules")
    _SCANNERS.clear()  # an earlier job's snapshot in a reused worker: drop it
    _SCANNERS[shipped.bundle] = scanner
    return scanner


def _writable(folder: Path) -> bool:
    """Whether SQLite can open a database here (it writes beside it, even to read; YARN's localised archives
    can be read-only).  Tried, not asked: os.access says yes to root on a read-only mount."""
    probe = folder / f".probe-{os.getpid()}"
    try:
        probe.touch()
        probe.unlink()
        return True
    except OSError:
        return False


def _writable_copy(root: Path, bundle: str) -> Path:
    """The snapshot copied once per executor to a writable temp folder, its index cache linked, not copied
    (memory-mapped read-only from the unpacked archive).  Workers racing here each copy, and rename atomically."""
    dest = Path(tempfile.gettempdir()) / f"compliance-{Path(bundle).stem}"
    dest.mkdir(parents=True, exist_ok=True)
    final = dest / "registry.db"
    if not final.exists():
        tmp = dest / f".registry.db.{os.getpid()}"
        shutil.copyfile(root / "registry.db", tmp)
        os.replace(tmp, final)
    link = dest / "registry.db.index"
    if (root / "registry.db.index").is_dir() and not link.exists():
        try:
            os.symlink(root / "registry.db.index", link)
        except FileExistsError:
            pass
    return final
