"""The scan command: inputs in, findings out (stdout), progress and summary on stderr."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import click

from .base import Problems, State, render_table


class _Size(click.ParamType):
    """A byte count: 16M, 512K, 1G or plain bytes."""

    name = "size"
    _UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
              "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
        if not m or m.group(2).lower() not in self._UNITS:
            self.fail(f"{value!r} is not a size (examples: 16M, 512K, 1G, 1000000)", param, ctx)
        n = int(float(m.group(1)) * self._UNITS[m.group(2).lower()])
        if n < 1024:
            self.fail(f"{value!r} is too small: at least 1K", param, ctx)
        return n


class _Progress:
    """One self-rewriting line on stderr: documents, MB, MB/s, findings.  Only on a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last = 0.0
        self.shown = False
        self.line = ""

    def update(self, s: Any) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.25:
            return
        self.last = now
        mb = s.bytes_read / 1e6
        rate = mb / s.seconds if s.seconds > 0 else 0.0
        line = (f"{s.documents + s.skipped:,} documents ({s.skipped:,} already scanned), {mb:,.1f} MB, "
                f"{rate:,.2f} MB/s, {s.findings:,} findings, {s.errors:,} errors")
        self.line = line
        self.redraw()

    def redraw(self) -> None:
        """Show the last line again (after something else was printed on the terminal)."""
        if self.enabled and self.line:
            self.stream.write("\r\x1b[2K" + self.line)
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table", "json"]), default=None,
              help="jsonl: one finding per line (default when stdout is not a terminal); table; json: one array.")
@click.option("--rescan", is_flag=True, help="Scan documents again even if this registry and rules saw them.")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes that extract and match (default: one per core). 1 runs in-process.")
@click.option("--max-doc-bytes", type=_Size(), default="16M", show_default=True,
              help="Largest payload read per document (after decompression); larger ones are reported and skipped.")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary on stderr (errors still show).")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: this machine's worker processes. spark: an Apache Spark job (pip install "
                   "'compliance[spark]'); findings go to --output, load them with import-findings.")
@click.option("--master", default=None,
              help="Spark master URL (--engine spark): local[N], yarn, spark://host:7077, k8s://... "
                   "Default: local[*], or spark-submit's --master when run under spark-submit.")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Spark partitions (--engine spark; default: one per input file). Each gets whole files.")
@click.option("--output", "-o", "output", default=None,
              help="Folder the Spark job writes (--engine spark): part-* JSON Lines and _summary.json. "
                   "Local, file://, hdfs://, s3a://; must not exist.")
@click.pass_obj
def scan(state: State, paths: tuple[str, ...], fmt: str | None, rescan: bool, workers: int | None,
         max_doc_bytes: int, quiet: bool, engine: str, master: str | None, partitions: int | None,
         output: str | None) -> None:
    """Scan crawled documents for copies of registered works.

    PATHS are files, folders (recursive) or - for stdin.  The reader is chosen
    by content and extension: WARC and ARC archives (gzipped or not), HTML
    pages (.html, .htm, gzipped), RSS and Atom feeds (one document per item),
    JSON Lines crawl exports (rows with url, fetched_at and text, html or a
    path relative to the export), and plain text.  HTML is reduced to its
    main text, which finding offsets index and the registry stores; footer
    notices and credits are kept beside it.

    Each finding (one per document and work) names the work, the copied
    passages with exact character spans on both sides, the verdict with its
    reasons, and the rights contact.  Findings are printed only once they are
    stored, so a scan that is killed and run again finishes the work without
    duplicates.  A document already scanned against the same registry and
    rules is skipped unless --rescan.

    A bad record (malformed, badly encoded, oversize) is reported on stderr
    with its file and byte offset, counted in the summary, and never stops
    the scan.  Progress shows on stderr when it is a terminal.

    \b
    Examples:
      compliance scan crawl/ > findings.jsonl
      compliance scan crawl-2025-01.warc.gz --workers 4
      compliance scan partner-feed.rss --format table
      compliance scan corpus/crawl/pages.jsonl --format json
      compliance scan big.warc.gz --max-doc-bytes 4M --quiet
      cat page.txt | compliance scan -
      compliance scan --engine spark crawl/*.warc.gz --output findings-spark/
      compliance scan --engine spark warc.paths --master yarn --partitions 400 -o hdfs:///scans/2025-06

    With --engine spark, PATHS may also be URIs (file://, https://, hdfs://,
    s3a://) and text files listing WARC paths or URIs, one per line.
    """
    if engine == "spark":
        if workers is not None:
            _warn_line("--workers is for the local engine; Spark runs one Python worker per executor core")
        if rescan:
            _warn_line("--rescan is implied: the Spark engine scans every document (import-findings replaces "
                       "earlier findings of the same documents)")
        _scan_spark(state, list(paths), fmt, quiet, master, partitions, output, max_doc_bytes)
        return
    for name, value in (("--output", output), ("--partitions", partitions), ("--master", master)):
        if value is not None:
            raise click.UsageError(f"{name} is for --engine spark")
    from ..scan import stop_on_signals

    with stop_on_signals():  # Ctrl-C and SIGTERM end the scan cleanly: exit 130 and 143, the summary says how
        _scan_local(state, paths, fmt, rescan, workers, max_doc_bytes, quiet)


def _scan_local(state: State, paths: tuple[str, ...], fmt: str | None, rescan: bool, workers: int | None,
                max_doc_bytes: int, quiet: bool) -> None:
    """``scan`` with the local engine: this machine's worker processes, findings printed as they are stored."""
    from ..inputs import ReadOptions, iter_inputs
    from ..scan import ScanOptions, default_workers, run_scan

    if fmt is None:
        fmt = "jsonl" if not sys.stdout.isatty() else "table"
    registry = state.registry(create=False)
    rules = state.rules()
    workers = workers or default_workers()
    collected: list[dict[str, Any]] = []
    progress = _Progress(sys.stderr, enabled=not quiet and sys.stderr.isatty())
    shared_terminal = sys.stdout.isatty() and sys.stderr.isatty()

    def on_finding(f: Any) -> None:
        d = f.to_dict()
        if fmt == "jsonl":
            if shared_terminal:
                progress.clear()
            click.echo(json.dumps(d, ensure_ascii=False))
            if shared_terminal:
                progress.redraw()
        else:
            collected.append(d)

    problems = Problems()

    def on_error(e: Exception) -> None:
        progress.clear()
        problems.error(str(e))
        progress.redraw()

    def on_document(doc: Any, n: int) -> None:
        if not problems.ok:
            progress.clear()
            problems.success()
            progress.redraw()

    read = ReadOptions(max_doc_bytes=max_doc_bytes, defer_extraction=True)
    try:
        summary = run_scan(registry, rules, iter_inputs(list(paths), read), inputs=list(paths),
                           options=ScanOptions(rescan=rescan, workers=workers, document_text=False),
                           on_finding=on_finding, on_error=on_error, on_document=on_document,
                           on_progress=progress.update)
    finally:
        progress.clear()
    problems.fail_if_nothing("scanned")
    _render(collected, fmt)
    if not quiet:
        click.echo(summary.paragraph(), err=True)
        for line in case_lines(summary.case_events):
            click.echo(line, err=True)


def case_lines(events: list[dict[str, Any]]) -> list[str]:
    """One sentence per case the repost watch changed (compliance/watch.py)."""
    out = []
    for e in events:
        what = "reopened as reposted" if e["action"] == "reposted" else "closed as removed"
        text = f"Case #{e['case']} ({e['site']}, {e['publisher']}) {what}: {e['reason']}."
        out.append("".join(ch if ch.isprintable() else " " for ch in text))
    return out


def _render(collected: list[dict[str, Any]], fmt: str) -> None:
    """Findings collected for ``--format json`` or ``table`` (jsonl is printed as it comes)."""
    if fmt == "json":
        click.echo(json.dumps(collected, indent=2, ensure_ascii=False))
    elif fmt == "table":
        rows = [{"finding": d["id"], "document": d["document"].get("url") or d["document"]["path"],
                 "work": d["work"]["id"], "publisher": d["work"]["publisher"], "verdict": d["verdict"],
                 "words": d["copied_words"], "coverage": f"{d['work_coverage']:.0%}",
                 "contact": d["contact"].get("email")} for d in collected]
        click.echo(render_table(rows, ["finding", "document", "work", "publisher", "verdict", "words", "coverage",
                                 "contact"]) if rows else "No findings.")


def _scan_spark(state: State, paths: list[str], fmt: str | None, quiet: bool, master: str | None,
                partitions: int | None, output: str | None, max_doc_bytes: int) -> None:
    """``scan --engine spark``: run the job; findings land in --output (printed too when --format is given)."""
    from ..engines.spark import SparkScanOptions, read_output, require_pyspark, run_spark_scan, spark_paragraph

    require_pyspark()
    if not output:
        raise click.UsageError("--engine spark writes its findings to a folder: pass --output DIR")
    registry = state.registry(create=False)  # checks it exists and is a registry, before Spark starts
    registry.close()
    rules = state.rules()
    problems = Problems()
    summary = run_spark_scan(state.db, rules, paths, SparkScanOptions(output=output, master=master,
                                                                      partitions=partitions,
                                                                      max_doc_bytes=max_doc_bytes),
                             on_error=lambda e: problems.error(str(e)))
    problems.success()
    local_out = "://" not in output or output.startswith("file://")
    if local_out:
        _, rows = read_output(output)
        collected: list[dict[str, Any]] = []
        shown = 0
        for row in rows:
            if row.get("t") == "error":
                if shown < 20:
                    _warn_line(row.get("message") or "error")
                shown += 1
            elif fmt is not None:
                for f in row.get("findings", []):
                    if fmt == "jsonl":
                        click.echo(json.dumps(f, ensure_ascii=False))
                    else:
                        collected.append(f)
        if shown > 20:
            _warn_line(f"... and {shown - 20} more errors (all in {output})")
        if fmt in ("json", "table"):
            _render(collected, fmt)
    if not quiet:
        click.echo(spark_paragraph(summary), err=True)


def _warn_line(msg: str) -> None:
    click.echo(f"Warning: {msg}", err=True)


@click.command("import-findings")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a summary paragraph on stderr; json: the counts as one JSON object on stdout.")
@click.pass_obj
def import_findings_cmd(state: State, folder: str, fmt: str) -> None:
    """Load the output of `scan --engine spark` into the registry.

    FOLDER is the scan's --output folder (copy it from HDFS or S3 first).
    Documents with findings, findings, 'scanned' markers and errors are
    stored as a local scan stores them, one transaction per batch, under one
    scan run; `compliance report` and `compliance evidence` then work as
    after a local scan.  Importing the same folder again duplicates nothing.

    \b
    Examples:
      compliance scan --engine spark crawl/ --output out/ && compliance import-findings out/
      compliance import-findings out/ --format json
    """
    from ..engines.spark import import_findings

    registry = state.registry(create=False)
    result = import_findings(registry, Path(folder))
    for w in result.warnings:
        _warn_line(w)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(result.paragraph(folder), err=True)
    for line in case_lines(result.case_events):
        click.echo(line, err=True)
