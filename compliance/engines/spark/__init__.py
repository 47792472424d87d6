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

The package is laid out by stage: :mod:`.paths` expands the inputs,
:mod:`.shipping` snapshots the registry and packs the archive (and opens it
on an executor), :mod:`.task` is the function each task runs, and
:mod:`.importing` is ``import-findings``; this module is the driver that
runs them.  Every name stays importable from ``compliance.engines.spark``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import __version__
from ...errors import ComplianceError, InputError
# The stages, each its own module; their names stay importable from here, as before the split.
from .importing import ImportSummary, import_findings, read_output
from .paths import _DIRECT, INSTALL_HINT, SUMMARY_NAME, InputFile, _local, _scheme, expand_inputs
from .shipping import _SCANNERS, Bundle, _executor_scanner, _Shipped, _writable, build_bundle  # noqa: F401
from .shipping import snapshot_registry
from .task import _counter_param, _error_row, _hadoop_key, _partition, _partition_bytes, scan_files  # noqa: F401

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
    from ...inputs import RecordError

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
    from ...scan import Scanner  # noqa: F401 - imported on the driver so a broken install fails here, not in tasks

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
        # one bundle, unpacked on every executor: the snapshot, its index cache and the rules folder
        bundle = build_bundle(Path(registry_path), rules, staging, run_id)
        scan_key = bundle.scan_key
        shipped = _Shipped(bundle.archive.name, scan_key, options.max_doc_bytes, options.batch_docs,
                           options.batch_bytes)
        spark, owned = _session(options)
        sc = spark.sparkContext
        sc.addArchive(str(bundle.archive))
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
            "scan_key": scan_key, "registry_version": bundle.registry_version, "rules_version": rules.version(),
            "tool_version": __version__, "works": bundle.works, "index_bytes": bundle.index_bytes,
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
