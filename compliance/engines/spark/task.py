"""The task that runs on the executors: read whole files, scan them in batches, one JSON line per record.

Each task opens its files through the local engine's reader
(``compliance.inputs.read_path``) and scans with ``compliance.scan._scan_batch``,
the batch function of the local worker pool, so extraction, matching,
alignment and verdicts are the same code and the findings the same.  Counts
travel back to the driver in accumulators.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...models import Document, Finding
from .paths import InputFile, _local, _scheme
from .shipping import _executor_scanner, _Shipped


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
    from ...inputs import ReadOptions, RecordError, read_path
    from ...scan import _WORKER, _scan_batch

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
