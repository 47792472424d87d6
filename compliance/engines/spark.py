"""``compliance scan --engine spark``: the same scan as a Spark job, for crawl-sized WARC collections.

The job is laid out the way large WARC jobs are (Common Crawl's own
``cc-pyspark`` among them):

* the driver expands the inputs (files, folders, list files of paths and
  URIs) into one list of WARC files and parallelises it: each partition
  gets whole files, which its task opens with ``warcio`` through the very
  reader the local engine uses (``compliance.inputs.read_path``) and streams
  record by record (a URI a task cannot open itself, ``hdfs://`` without
  pyarrow say, comes through Spark's ``binaryFiles`` instead);
* the registry is shipped, not rebuilt per task: the driver makes a
  consistent snapshot with SQLite's backup API (scan results stripped),
  builds the seed index once beside it (``<snapshot>.index/``, the same
  memory-mapped ``.npy`` cache the local engine keeps; the registry's own
  cache is reused when it has one), and ships both, with the rules folder,
  as one archive through ``SparkContext.addArchive`` (unpacked once per
  executor).  Each Python worker opens them once (a module-level cache keyed
  by the bundle) and maps the index read-only, so the worker processes of
  one executor share its pages (a Python broadcast would not do: every
  worker would unpickle its own copy of a multi-GB index);
* each task runs ``compliance.scan._scan_batch``, the batch function of the
  local engine's worker pool, so extraction, matching, alignment and
  verdicts are the same code, and findings are the same;
* every scanned document becomes one JSON line (its findings, with the
  document text when it has findings, since offsets index it and evidence
  needs it), every bad record an error line with its file and offset; the
  lines are written by ``saveAsTextFile`` (one ``part-*`` file per
  partition), and the counts (records, bytes, findings, errors, verdicts)
  travel back in accumulators into ``_summary.json``.

``compliance import-findings DIR`` (:func:`import_findings`) then loads the
output into the registry, so reports and evidence work as after a local
scan.  Accumulator values are advisory (a retried task counts twice); the
import counts the lines themselves.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ComplianceError, InputError
from ..models import Document, Finding, PassageMatch

__all__ = [
    "INSTALL_HINT",
    "ImportSummary",
    "InputFile",
    "SparkScanOptions",
    "expand_inputs",
    "import_findings",
    "read_output",
    "require_pyspark",
    "run_spark_scan",
    "snapshot_registry",
]

INSTALL_HINT = "pip install 'compliance[spark]'"
SUMMARY_NAME = "_summary.json"
#: URI schemes read in the task itself: local files, and web servers (Common Crawl serves its WARCs over HTTPS)
_DIRECT = ("file", "http", "https")
_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".warc.gzip")


def require_pyspark() -> Any:
    """The ``pyspark`` module, or a ComplianceError saying how to install it."""
    try:
        import pyspark
    except ImportError as exc:
        raise ComplianceError(f"--engine spark needs pyspark, which is not installed: {INSTALL_HINT} "
                              f"(and Java 17 on the machine)") from exc
    return pyspark


@dataclass
class SparkScanOptions:
    """How the Spark job runs (the scan itself is configured by the registry and rules, as locally)."""

    output: str
    #: None: spark-submit's master when run under spark-submit, else local[*]
    master: str | None = None
    partitions: int | None = None
    max_doc_bytes: int = 16 << 20
    batch_docs: int = 64
    batch_bytes: int = 1 << 20
    app_name: str = "compliance-scan"
    conf: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InputFile:
    """One input file: the name documents carry (as the local engine names it) and where a task opens it."""

    index: int
    name: str
    uri: str


def _scheme(text: str) -> str | None:
    head, sep, _ = text.partition("://")
    if sep and head.isascii() and head.replace("+", "").replace("-", "").replace(".", "").isalnum() and len(head) > 1:
        return head.lower()
    return None


def _local(uri: str) -> str:
    """A ``file://`` URI as a local path; anything else unchanged."""
    if _scheme(uri) == "file":
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(uri).path)
    return uri


def _is_list_file(path: Path) -> bool:
    """A text file whose lines (blank lines and ``#`` comments aside) all name WARC/ARC files or URIs.

    Strict on purpose: a plain-text page is scanned as a document, as the local engine does, not read as a list.
    """
    if path.name.lower().endswith(_WARC_SUFFIXES):
        return False
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            lines = [line.strip() for _, line in zip(range(1000), fh)]
    except (OSError, UnicodeDecodeError, EOFError):
        return False
    entries = [line for line in lines if line and not line.startswith("#")]
    if not entries:
        return False
    for line in entries:
        if " " in line or "\t" in line:
            return False
        if not (_scheme(line) or line.lower().endswith(_WARC_SUFFIXES)):
            return False
    return True


def _list_entries(path: Path) -> Iterator[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def expand_inputs(paths: Iterable[str]) -> tuple[list[InputFile], list[InputError]]:
    """The files a Spark scan reads, in order, and the inputs that could not be expanded.

    Local files and folders are named as the local engine names them (so the
    findings carry the same document paths); a list file contributes its
    entries (relative paths resolve against the list's folder); a URI
    (``file://``, ``https://``, ``hdfs://``, ``s3a://``...) is passed on as is.
    """
    from ..inputs import RecordError, _walk

    files: list[InputFile] = []
    errors: list[InputError] = []

    def add(name: str, uri: str) -> None:
        files.append(InputFile(len(files), name, uri))

    def local(raw: str, from_list: bool) -> None:
        path = Path(_local(raw))
        if path.is_dir():
            for item in _walk(path, set(), set()):
                if isinstance(item, InputError):
                    errors.append(item)
                else:
                    add(str(item), str(item.resolve()))
        elif not path.exists():
            errors.append(RecordError(f"{raw}: no such file or directory", path=raw))
        elif not from_list and _is_list_file(path):
            for entry in _list_entries(path):
                scheme = _scheme(entry)
                if scheme and scheme != "file":
                    add(entry, entry)
                else:
                    target = Path(_local(entry))
                    if not target.is_absolute():
                        target = path.parent / target
                    local(str(target), True)
        else:
            add(str(path), str(path.resolve()))

    for raw in paths:
        if raw == "-":
            errors.append(RecordError("-: standard input cannot be scanned by --engine spark (pass files or URIs)",
                                      path="-"))
            continue
        scheme = _scheme(raw)
        if scheme and scheme != "file":
            add(raw, raw)
        else:
            local(raw, False)
    return files, errors


# ---------------------------------------------------------------- the registry shipped to executors

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

    from ..registry import Registry
    from ..rules import load_rules
    from ..scan import Scanner

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


def _tar(folder: Path, archive: Path) -> None:
    """An uncompressed tar of *folder*'s contents (the .npy arrays do not compress; unpacking stays fast)."""
    import tarfile

    with tarfile.open(archive, "w") as tar:
        for p in sorted(folder.iterdir()):
            tar.add(p, arcname=p.name)


@contextmanager
def _opened(uri: str) -> Iterator[Path]:
    """A local path for *uri*: the file itself, or a temporary copy of a remote one (warcio seeks to resync)."""
    scheme = _scheme(uri)
    if scheme is None or scheme == "file":
        yield Path(_local(uri))
        return
    suffix = "".join(Path(uri.split("?")[0]).suffixes[-2:])
    with tempfile.NamedTemporaryFile(prefix="compliance-spark-", suffix=suffix) as tmp:
        if scheme in ("http", "https"):
            import urllib.request

            with urllib.request.urlopen(uri, timeout=120) as resp:
                shutil.copyfileobj(resp, tmp, 1 << 20)
        else:
            _copy_remote(uri, tmp)
        tmp.flush()
        yield Path(tmp.name)


def _copy_remote(uri: str, out: Any) -> None:
    """hdfs://, s3a:// and the like from a task: through pyarrow or fsspec when the executors have one."""
    try:
        from pyarrow import fs as pafs

        filesystem, path = pafs.FileSystem.from_uri(uri.replace("s3a://", "s3://", 1))
        with filesystem.open_input_stream(path) as src:
            shutil.copyfileobj(src, out, 1 << 20)
        return
    except ImportError:
        pass
    try:
        import fsspec
    except ImportError:
        raise InputError(f"{uri}: reading {_scheme(uri)}:// inside a task needs pyarrow or fsspec on the executors "
                         "(pip install pyarrow), or pass the file through Spark's own filesystem layer") from None
    with fsspec.open(uri.replace("s3a://", "s3://", 1), "rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)


def _doc_row(doc: Document, findings: list[Finding], suppressed: dict[str, int], size: int) -> dict[str, Any]:
    d: dict[str, Any] = {"sha256": doc.sha256, "raw_sha256": doc.raw_sha256, "path": doc.path, "url": doc.url,
                         "offset": doc.offset}
    if findings:  # what _store_rows keeps of a document with findings
        d.update(title=doc.title, fetched_at=doc.fetched_at, warc_record_id=doc.warc_record_id,
                 warc_date=doc.warc_date, payload_digest=doc.payload_digest, source_format=doc.source_format,
                 text=doc.text, extra_text=doc.extra_text)
    return {"t": "doc", "document": d, "bytes": size, "findings": [f.to_dict() for f in findings],
            "suppressed": suppressed}


def _error_row(err: Any) -> dict[str, Any]:
    return {"t": "error", "path": getattr(err, "path", None), "offset": getattr(err, "offset", None),
            "message": str(err)}


def scan_files(files: Iterable[InputFile], scanner: Any, *, max_doc_bytes: int, batch_docs: int = 64,
               batch_bytes: int = 1 << 20, opener: Callable[[str], Any] = _opened) -> Iterator[dict[str, Any]]:
    """Rows for the documents and errors of *files*, in input and record order (one Spark partition's work).

    Reads through ``read_path`` and scans with ``_scan_batch``, the local
    engine's reader and batch function, batched the same way.  Nothing here
    raises for one bad record or one unreadable file: those become error rows.
    """
    from ..inputs import ReadOptions, RecordError, read_path
    from ..scan import _WORKER, _scan_batch

    _WORKER.update(scanner=scanner, check_known=False)

    def outcomes(batch: list[Document]) -> Iterator[dict[str, Any]]:
        for kind, doc, findings, suppressed in _scan_batch(batch):
            if kind == "error":
                yield _error_row(doc)
            else:
                size = int(doc.meta.get("bytes") or len(doc.text.encode("utf-8", "surrogatepass")))
                yield _doc_row(doc, findings, suppressed, size)

    for f in files:
        read = ReadOptions(max_doc_bytes=max_doc_bytes, defer_extraction=True, display_name=f.name)
        batch: list[Document] = []
        size = 0
        try:
            with opener(f.uri) as path:
                for item in read_path(path, read):
                    if isinstance(item, InputError):
                        yield _error_row(item)
                        continue
                    batch.append(item)
                    size += len(item.text) + len(item.meta.get("pending_html") or "")
                    if len(batch) >= batch_docs or size >= batch_bytes:
                        yield from outcomes(batch)
                        batch, size = [], 0
        except Exception as exc:  # noqa: BLE001 - an unreachable URI costs this file, never the job
            yield _error_row(RecordError(f"{f.name}: cannot read ({exc.__class__.__name__}: "
                                         f"{' '.join(str(exc).split())[:200]})", path=f.name))
        if batch:
            yield from outcomes(batch)


# ---------------------------------------------------------------- accumulators

def _counter_param() -> Any:
    from pyspark.accumulators import AccumulatorParam

    class _Counter(AccumulatorParam):
        """Sums of named counts (verdicts, suppressing rules)."""

        def zero(self, value: dict[str, int]) -> dict[str, int]:
            return {}

        def addInPlace(self, a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
            for k, n in b.items():
                a[k] = a.get(k, 0) + n
            return a

    return _Counter()


def _count(row: dict[str, Any], acc: dict[str, Any]) -> None:
    if row["t"] == "error":
        acc["errors"].add(1)
        return
    acc["records"].add(1)
    acc["bytes"].add(row["bytes"])
    acc["findings"].add(len(row["findings"]))
    if row["findings"]:
        verdicts: dict[str, int] = {}
        for f in row["findings"]:
            verdicts[f["verdict"]] = verdicts.get(f["verdict"], 0) + 1
        acc["verdicts"].add(verdicts)
    if row["suppressed"]:
        acc["suppressed"].add(row["suppressed"])


def _partition(shipped: _Shipped, acc: dict[str, Any]) -> Callable[[Iterator[tuple[int, InputFile]]], Iterator[str]]:
    """The function each task runs over its files: rows out as JSON lines, counts into the accumulators."""

    def run(items: Iterator[tuple[int, InputFile]]) -> Iterator[str]:
        files = [f for _, f in items]
        if not files:
            return
        scanner = _executor_scanner(shipped)
        for row in scan_files(files, scanner, max_doc_bytes=shipped.max_doc_bytes, batch_docs=shipped.batch_docs,
                              batch_bytes=shipped.batch_bytes):
            _count(row, acc)
            yield json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        acc["files"].add(len(files))

    return run


def _hadoop_key(uri: str) -> str:
    """What Hadoop calls a file (``file:/x`` for ``file:///x``): compared by path."""
    from urllib.parse import urlsplit

    return urlsplit(uri).path or uri


def _partition_bytes(shipped: _Shipped, acc: dict[str, Any],
                     by_key: dict[str, InputFile]) -> Callable[[Iterator[tuple[str, bytes]]], Iterator[str]]:
    """The same, over files Spark's own filesystem layer read (``binaryFiles``: whole files, as bytes)."""

    def run(items: Iterator[tuple[str, bytes]]) -> Iterator[str]:
        scanner = None
        for key, data in items:
            f = by_key.get(_hadoop_key(key)) or InputFile(-1, key, key)
            scanner = scanner or _executor_scanner(shipped)

            @contextmanager
            def spooled(_: str, data: bytes = data, f: InputFile = f) -> Iterator[Path]:
                suffix = "".join(Path(f.name).suffixes[-2:])
                with tempfile.NamedTemporaryFile(prefix="compliance-spark-", suffix=suffix) as tmp:
                    tmp.write(data)
                    tmp.flush()
                    yield Path(tmp.name)

            for row in scan_files([f], scanner, max_doc_bytes=shipped.max_doc_bytes, batch_docs=shipped.batch_docs,
                                  batch_bytes=shipped.batch_bytes, opener=spooled):
                _count(row, acc)
                yield json.dumps(row, ensure_ascii=False, separators=(",", ":"))
            del data
            acc["files"].add(1)

    return run


def _task_reads(uri: str) -> bool:
    """Whether a task opens *uri* itself (local, file://, http(s)://, or pyarrow/fsspec at hand), rather than
    through Spark's filesystem layer (``binaryFiles``: any Hadoop filesystem, but a whole file in memory)."""
    scheme = _scheme(uri)
    if scheme is None or scheme in _DIRECT:
        return True
    import importlib.util

    return any(importlib.util.find_spec(m) is not None for m in ("pyarrow", "fsspec"))


def _hadoop_missing(sc: Any, files: list[InputFile]) -> list[InputError]:
    """Inputs Spark's filesystem layer cannot find (checked up front: binaryFiles would fail the whole job)."""
    from ..inputs import RecordError

    missing = []
    try:
        conf = sc._jsc.hadoopConfiguration()
        jpath = sc._jvm.org.apache.hadoop.fs.Path
    except AttributeError:  # not a JVM-backed context: let Spark report it
        return []
    for f in files:
        try:
            path = jpath(f.uri)
            if not path.getFileSystem(conf).exists(path):
                missing.append(RecordError(f"{f.name}: no such file", path=f.name))
        except Exception as exc:  # noqa: BLE001 - an unknown scheme, no credentials: that input's error
            missing.append(RecordError(f"{f.name}: cannot open ({' '.join(str(exc).split())[:200]})", path=f.name))
    return missing


# ---------------------------------------------------------------- the driver

def _session(options: SparkScanOptions) -> tuple[Any, bool]:
    """The active SparkSession (tests share one), or a new one we own and stop at the end."""
    from pyspark.sql import SparkSession

    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # launched by spark-submit, which set master and python
    master = options.master or (None if submitted else "local[*]")
    if not submitted:
        # Python workers run the interpreter that runs compliance, with its packages.  In local mode always
        # (a stale PYSPARK_PYTHON would break the job); on a cluster, unless the user chose the executors'
        # Python (an unpacked environment, see benchmarks/README.md, "Spark")
        if master is not None and master.startswith("local"):
            os.environ["PYSPARK_PYTHON"] = sys.executable
        else:
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    java_home = os.environ.get("JAVA_HOME")
    if not submitted and shutil.which("java") is None and not (java_home and Path(java_home, "bin", "java").exists()):
        raise ComplianceError("--engine spark needs Java 17 (Spark runs on the JVM): `java` is not on PATH and "
                              "JAVA_HOME is not set")
    builder = SparkSession.builder.appName(options.app_name)
    if master is not None:
        builder = builder.master(master)
    defaults = {"spark.ui.showConsoleProgress": "false", "spark.sql.shuffle.partitions": "8",
                "spark.python.worker.reuse": "true"}
    for k, v in {**defaults, **options.conf}.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark, True


def _write_text(output: str, name: str, text: str, sc: Any) -> None:
    """A small file in the output folder: directly when it is local, else through Spark (one part file)."""
    scheme = _scheme(output)
    if scheme is None or scheme == "file":
        Path(_local(output), name).write_text(text, encoding="utf-8")
    else:
        sc.parallelize([text], 1).saveAsTextFile(output.rstrip("/") + "/" + name.replace(".json", ""))


def run_spark_scan(registry_path: Path, rules: Any, paths: list[str], options: SparkScanOptions,
                   on_error: Callable[[InputError], None] | None = None) -> dict[str, Any]:
    """Scan *paths* on Spark; write rows to ``options.output``; return the run summary (also in ``_summary.json``).

    The registry is not written: ``import_findings`` loads the output.
    """
    require_pyspark()
    from ..registry import Registry
    from ..scan import Scanner  # noqa: F401 - imported on the driver so a broken install fails here, not in tasks

    out_scheme = _scheme(options.output)
    if out_scheme is None or out_scheme == "file":
        out = Path(_local(options.output))
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise ComplianceError(f"{options.output}: already exists; Spark writes a new folder (choose another "
                                  "--output, or delete it)")
        if out.is_dir():
            out.rmdir()
    files, input_errors = expand_inputs(paths)
    for err in input_errors:
        if on_error:
            on_error(err)
    if not files:
        raise ComplianceError("nothing to scan: " + ("; ".join(str(e) for e in input_errors[:3]) or "no input files"))
    if rules.directory is None:
        raise ComplianceError("--engine spark ships the rules folder to executors: pass --rules DIR")
    run_id = uuid.uuid4().hex[:12]
    started = time.time()
    staging = Path(tempfile.mkdtemp(prefix=f"compliance-spark-{run_id}-"))
    spark = None
    owned = False
    try:
        # One bundle, unpacked on every executor by SparkContext.addArchive: the snapshot, its index cache and
        # the rules folder.  (addFile cannot ship a local folder to a cluster.)  Its name is unique per run: a
        # session refuses a second file of the same name.
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
        shipped = _Shipped(archive.name, scan_key, options.max_doc_bytes, options.batch_docs, options.batch_bytes)
        spark, owned = _session(options)
        sc = spark.sparkContext
        sc.addArchive(str(archive))
        acc = {k: sc.accumulator(0) for k in ("records", "bytes", "findings", "errors", "files")}
        acc["verdicts"] = sc.accumulator({}, _counter_param())
        acc["suppressed"] = sc.accumulator({}, _counter_param())
        direct = [f for f in files if _task_reads(f.uri)]
        hadoop = [f for f in files if not _task_reads(f.uri)]
        if hadoop:
            missing = _hadoop_missing(sc, hadoop)
            gone = {e.path for e in missing}
            hadoop = [f for f in hadoop if f.name not in gone]
            input_errors += missing
            for err in missing:
                if on_error:
                    on_error(err)
        want = options.partitions or len(files)
        n = max(1, min(want, len(direct))) if direct else 0
        t0 = time.perf_counter()
        rdds = []
        if direct:
            rdds.append(sc.parallelize(list(enumerate(direct)), n).mapPartitions(_partition(shipped, acc)))
        if hadoop:
            by_key = {_hadoop_key(f.uri): f for f in hadoop}
            m = max(1, min(want, len(hadoop)))
            raw = sc.binaryFiles(",".join(f.uri for f in hadoop), minPartitions=m)
            rdds.append(raw.mapPartitions(_partition_bytes(shipped, acc, by_key)))
            n += raw.getNumPartitions()
        if not rdds:
            raise ComplianceError("nothing to scan: " + "; ".join(str(e) for e in input_errors[:3]))
        rdd = rdds[0] if len(rdds) == 1 else sc.union(rdds)
        rdd.saveAsTextFile(options.output)
        seconds = time.perf_counter() - t0
        summary = {
            "spark_run_id": run_id, "engine": "spark", "master": sc.master, "partitions": n,
            "default_parallelism": sc.defaultParallelism, "inputs": list(paths), "files": len(direct) + len(hadoop),
            "documents": acc["records"].value, "bytes": acc["bytes"].value, "findings": acc["findings"].value,
            "errors": acc["errors"].value + len(input_errors), "verdicts": dict(sorted(acc["verdicts"].value.items())),
            "suppressed": dict(sorted(acc["suppressed"].value.items())),
            "input_errors": [_error_row(e) for e in input_errors],
            "seconds": round(seconds, 3), "wall_seconds": round(time.time() - started, 3),
            "scan_key": scan_key, "registry_version": registry_version, "rules_version": rules.version(),
            "tool_version": __version__, "works": works, "index_bytes": int(index_bytes),
            "started_at": _iso(started), "ended_at": _iso(time.time()), "output": options.output,
        }
        _write_text(options.output, SUMMARY_NAME, json.dumps(summary, indent=2) + "\n", sc)
        return summary
    finally:
        if spark is not None and owned:
            spark.stop()
        shutil.rmtree(staging, ignore_errors=True)


def _iso(t: float) -> str:
    import datetime as _dt

    return _dt.datetime.fromtimestamp(t, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def spark_paragraph(s: dict[str, Any]) -> str:
    """The closing paragraph of a Spark scan (stderr), like the local engine's."""
    v = ", ".join(f"{n} {k}" for k, n in s["verdicts"].items()) or "none"
    mb = s["bytes"] / 1e6
    rate = f", {mb / s['seconds']:.2f} MB/s" if s["seconds"] > 0 and s["documents"] else ""
    return (f"Scanned {s['documents']} document(s) in {s['files']} file(s), {mb:.2f} MB in {s['seconds']:.1f}s{rate} "
            f"on Spark ({s['master']}, {s['partitions']} partitions). Findings: {s['findings']} ({v}). "
            f"Errors: {s['errors']}. Written to {s['output']}; load them into the registry with "
            f"`compliance import-findings {s['output']}`.")


# ---------------------------------------------------------------- reading the output, importing it

def read_output(folder: Path) -> tuple[dict[str, Any] | None, Iterator[dict[str, Any]]]:
    """The run summary (None if absent) and the rows, in input order (part files in partition order)."""
    folder = Path(_local(str(folder)))
    if not folder.is_dir():
        raise ComplianceError(f"{folder}: not a folder (import-findings reads the --output folder of a Spark scan)")
    summary = None
    if (folder / SUMMARY_NAME).is_file():
        summary = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
    elif (folder / "_summary").is_dir():
        parts = sorted((folder / "_summary").glob("part-*"))
        text = "".join(p.read_text(encoding="utf-8") for p in parts).strip()
        summary = json.loads(text) if text else None
    parts = sorted(p for p in folder.glob("part-*") if not p.name.endswith(".crc"))
    if not parts and summary is None:
        raise ComplianceError(f"{folder}: no part-* files and no {SUMMARY_NAME}: not the output of a Spark scan")

    def rows() -> Iterator[dict[str, Any]]:
        for part in parts:
            opener = gzip.open if part.name.endswith(".gz") else open
            with opener(part, "rt", encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        yield json.loads(line)
                    except ValueError:
                        yield {"t": "error", "path": str(part), "offset": None,
                               "message": f"{part}: line {n}: not JSON (a damaged output file)"}

    return summary, rows()


@dataclass
class ImportSummary:
    """What ``import-findings`` loaded."""

    run_id: int
    documents: int = 0
    bytes: int = 0
    findings: int = 0
    errors: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    again: bool = False  # this output had been imported before (its rows replaced, nothing duplicated)
    case_events: list[dict[str, Any]] = field(default_factory=list)  # reposts and removals (compliance/watch.py)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "documents": self.documents, "bytes": self.bytes, "findings": self.findings,
                "errors": self.errors, "verdicts": dict(sorted(self.verdicts.items())), "warnings": self.warnings,
                "imported_before": self.again}

    def paragraph(self, folder: str) -> str:
        v = ", ".join(f"{n} {k}" for k, n in sorted(self.verdicts.items())) or "none"
        again = " It had been imported before: its rows were replaced, nothing is duplicated." if self.again else ""
        return (f"Imported {self.documents} scanned document(s), {self.bytes / 1e6:.2f} MB, from {folder}. "
                f"Findings: {self.findings} ({v}). Errors: {self.errors}. Run #{self.run_id} is recorded in the "
                f"registry.{again}")


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(id=d["id"], document=d["document"], work=d["work"],
                   passages=[PassageMatch(**p) for p in d["passages"]], copied_words=d["copied_words"],
                   work_coverage=d["work_coverage"], verdict=d["verdict"], reasons=d.get("reasons", []),
                   rules=d.get("rules", []), contact=d.get("contact", {}), attribution=d.get("attribution", []))


def import_findings(registry: Any, folder: Path, *, batch: int = 500) -> ImportSummary:
    """Load a Spark scan's output into *registry*: documents, findings, 'scanned' markers, errors, one run.

    One transaction per *batch* rows.  Idempotent: the run is keyed by the
    Spark run id, findings by their stable id and documents by (sha256, url,
    path), and the run's errors are replaced, so importing twice (or again
    after an interrupted import) leaves the registry as one import does.
    """
    from ..registry import now_utc
    from ..scan import ScanSummary, _store_rows, _update_run

    summary, rows = read_output(folder)
    summary = summary or {}
    spark_id = summary.get("spark_run_id") or f"folder:{Path(folder).resolve()}"
    scan_key = summary.get("scan_key") or ""
    out = ImportSummary(run_id=0)
    if not summary:
        out.warnings.append(f"{folder}: no {SUMMARY_NAME} (the Spark job may not have finished); importing the "
                            "rows that are there")
    elif summary.get("registry_version") != registry.registry_version():
        out.warnings.append(f"the registry changed since the scan (registry version {registry.registry_version()}, "
                            f"scanned against {summary.get('registry_version')}): findings are imported as they "
                            "were made")
    db = registry.db
    known_works = {r[0] for r in db.execute("SELECT id FROM works")}
    run = ScanSummary(workers=1)
    with db.atomic():
        existing = None
        for rid, opts in db.execute("SELECT id, options FROM scan_runs WHERE options LIKE ?", [f"%{spark_id}%"]):
            try:
                if json.loads(opts or "{}").get("spark_run_id") == spark_id:
                    existing = int(rid)
            except ValueError:
                continue
        if existing is not None:
            out.again = True
            run_id = existing
            db.execute("DELETE FROM scan_errors WHERE run_id = ?", [run_id])
            db.execute("UPDATE scan_runs SET status = 'running' WHERE id = ?", [run_id])
        else:
            options = {"engine": "spark", "spark_run_id": spark_id, "master": summary.get("master"),
                       "partitions": summary.get("partitions"), "imported_from": str(folder),
                       "imported_at": now_utc()}
            cur = db.execute(
                "INSERT INTO scan_runs(started_at, inputs, options, registry_version, rules_version, tool_version) "
                "VALUES (?,?,?,?,?,?)",
                [summary.get("started_at") or now_utc(), json.dumps(summary.get("inputs", [])), json.dumps(options),
                 summary.get("registry_version"), summary.get("rules_version"), summary.get("tool_version")])
            run_id = int(cur.lastrowid)
    out.run_id = run.run_id = run_id
    from ..watch import ScanWatch

    watch = ScanWatch(registry, run_id, captures=False)  # the repost watch of compliance cases, per batch
    out.case_events = watch.events

    def store(chunk: list[dict[str, Any]]) -> None:
        observed: list[tuple[str, Any, Any, Any]] = []
        with db.atomic():
            for row in chunk:
                if row.get("t") == "error":
                    db.execute("INSERT INTO scan_errors(run_id, path, offset, message) VALUES (?,?,?,?)",
                               [run_id, row.get("path"), row.get("offset"), row.get("message") or "error"])
                    continue
                d = row["document"]
                doc = Document(text=d.get("text") or "", path=d.get("path") or "", url=d.get("url"),
                               title=d.get("title"), fetched_at=d.get("fetched_at"),
                               warc_record_id=d.get("warc_record_id"), warc_date=d.get("warc_date"),
                               payload_digest=d.get("payload_digest"), raw_sha256=d.get("raw_sha256"),
                               source_format=d.get("source_format") or "warc", offset=d.get("offset"),
                               extra_text=d.get("extra_text") or "")
                findings = [_finding(f) for f in row.get("findings", [])]
                if findings and doc.sha256 != d["sha256"]:
                    raise ComplianceError(f"{folder}: document {d.get('url') or d.get('path')}: its text does not "
                                          "match its sha256 (a damaged output file)")
                _store_doc(doc, d["sha256"], findings)
                observed.append(("done", doc, [f for f in findings if f.work["id"] in known_works], None))
            _update_run(registry, run_id, run, None)
            watch.observe(observed)

    def _store_doc(doc: Document, sha: str, findings: list[Finding]) -> None:
        missing = [f.work["id"] for f in findings if f.work["id"] not in known_works]
        if missing:
            run.errors += 1
            message = (f"{doc.path}: findings for works not in this registry ({', '.join(missing[:5])}); "
                       "import into the registry the scan used")
            db.execute("INSERT INTO scan_errors(run_id, path, offset, message) VALUES (?,?,?,?)",
                       [run_id, doc.path, doc.offset, message])
            findings = [f for f in findings if f.work["id"] in known_works]
        if findings:
            _store_rows(registry, run_id, doc, findings, scan_key)
        else:  # only the 'scanned' marker (the text of a document without findings is not shipped back)
            db.execute("INSERT OR REPLACE INTO scanned(document_sha256, scan_key, run_id, findings, raw_sha256) "
                       "VALUES (?,?,?,?,?)", [sha, scan_key, run_id, 0, doc.raw_sha256])

    chunk: list[dict[str, Any]] = []
    status = "failed"
    try:
        import itertools

        for row in _counted(itertools.chain(summary.get("input_errors", []), rows), run, out):
            chunk.append(row)
            if len(chunk) >= batch:
                store(chunk)
                chunk = []
        if chunk:
            store(chunk)
        status = "done"
    finally:
        run.seconds = 0.0
        with db.atomic():
            _update_run(registry, run_id, run, status)
    out.errors = run.errors
    return out


def _counted(rows: Iterator[dict[str, Any]], run: Any, out: ImportSummary) -> Iterator[dict[str, Any]]:
    """Count rows as they stream by (the import's own counts, not the advisory accumulators)."""
    for row in rows:
        if row.get("t") == "error":
            run.errors += 1
        else:
            run.documents += 1
            run.bytes += int(row.get("bytes") or 0)
            out.documents += 1
            out.bytes += int(row.get("bytes") or 0)
            for f in row.get("findings", []):
                run.findings += 1
                out.findings += 1
                run.verdicts[f["verdict"]] = run.verdicts.get(f["verdict"], 0) + 1
                out.verdicts[f["verdict"]] = out.verdicts.get(f["verdict"], 0) + 1
        yield row
