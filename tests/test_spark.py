"""The Spark engine: ``scan --engine spark`` + ``import-findings`` give the local engine's findings.

One ``local[2]`` SparkSession serves the whole module (session-scoped
fixture); the scans run through the real CLI.  The input is four gzipped
WARC files built from the project's own corpus (corpus/crawl pages as HTTP
responses), one of them with a damaged record.  Skipped with the reason when
Java or pyspark is missing.
"""

from __future__ import annotations

import builtins
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, RULES
from inputs_helpers import build_warc

pytestmark = pytest.mark.spark


def _need_spark() -> None:
    if shutil.which("java") is None:
        pytest.skip("Spark tests need Java (17) on PATH: `java` not found")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("Spark tests need pyspark: pip install 'compliance[spark]' (make install does)")


@pytest.fixture(scope="session")
def spark():
    """One local[2] SparkSession for every Spark test (start-up costs seconds; tests must share it)."""
    _need_spark()
    import os

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("compliance-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _html(text: str) -> str:
    import html

    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    return f"<!DOCTYPE html><html><head><title>t</title></head><body><article>{paras}</article></body></html>"


def _pages() -> list[tuple[str, str, str]]:
    """The corpus crawl pages as (url, date, html): copies, licensed reuse, quotes and unrelated pages."""
    rows = [json.loads(line) for line in (CORPUS / "crawl" / "pages.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for r in rows:
        p = CORPUS / "crawl" / r["path"]
        text = p.read_text(encoding="utf-8")
        out.append((r["url"], r["fetched_at"], text if p.suffix == ".html" else _html(text)))
    return out


def _copy_db(src: Path, dest: Path) -> None:
    a, b = sqlite3.connect(src), sqlite3.connect(dest)
    a.backup(b)
    a.close()
    b.close()


def _cli(db: Path, *args: str):
    from compliance.cli import cli

    return CliRunner().invoke(cli, ["--db", str(db), "--rules", str(RULES), *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def scanned(spark, tmp_path_factory):
    """Registries after a local scan and after a Spark scan + import of the same four WARC files."""
    d = tmp_path_factory.mktemp("spark")
    pages = _pages()
    warcs = []
    for i in range(3):
        w = d / f"crawl-{i}.warc.gz"
        build_warc(w, pages[i::3])
        warcs.append(w)
    damaged = d / "damaged.warc.gz"
    build_warc(damaged, pages[:4], extra_records=False)
    data = bytearray(damaged.read_bytes())
    starts = [i for i in range(len(data) - 2) if data[i:i + 3] == b"\x1f\x8b\x08"]
    data[starts[2] + 10] = 0xFF  # the second response's deflate block: invalid, one bad record
    damaged.write_bytes(bytes(data))
    warcs.append(damaged)

    base = d / "registered.db"
    res = _cli(base, "register", CORPUS / "works")
    assert res.exit_code == 0, res.output
    local_db, spark_db = d / "local.db", d / "spark.db"
    _copy_db(base, local_db)
    _copy_db(base, spark_db)
    local = _cli(local_db, "scan", *warcs, "--format", "jsonl", "--workers", "1")
    assert local.exit_code == 0, local.output
    out = d / "out"
    res = _cli(spark_db, "scan", "--engine", "spark", "--master", "local[2]", *warcs, "--output", out)
    assert res.exit_code == 0, res.output
    imp = _cli(spark_db, "import-findings", out, "--format", "json")
    assert imp.exit_code == 0, imp.output
    return {"dir": d, "warcs": warcs, "base": base, "local": local_db, "spark": spark_db, "out": out,
            "local_stdout": local.stdout, "spark_result": res, "import": json.loads(imp.stdout)}


def _findings(db: Path) -> set[tuple]:
    """Per finding: the document (sha, url, path, record id), the work, the passages and the verdict."""
    from compliance.registry import Registry
    from compliance.scan import stored_findings

    with Registry(db, create=False) as reg:
        return {(f["document"]["sha256"], f["document"]["url"], f["document"]["path"],
                 f["document"]["warc_record_id"], f["work"]["id"], json.dumps(f["passages"], sort_keys=True),
                 f["copied_words"], f["work_coverage"], f["verdict"], tuple(f["reasons"]),
                 json.dumps(f["attribution"], sort_keys=True)) for f in stored_findings(reg)}


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_spark_findings_after_import_are_the_local_engines(scanned):
    local, spark = _findings(scanned["local"]), _findings(scanned["spark"])
    assert local and len(local) >= 5
    assert spark == local
    assert {r[-3] for r in local} >= {"violation", "licensed"}
    # the stored documents (text that offsets index, notices beside it) and the 'scanned' markers too
    docs = "SELECT sha256, raw_sha256, url, path, title, warc_record_id, text, extra_text FROM documents ORDER BY 1, 3"
    assert _rows(scanned["spark"], docs) == _rows(scanned["local"], docs)
    marks = "SELECT document_sha256, scan_key, findings FROM scanned ORDER BY 1"
    assert _rows(scanned["spark"], marks) == _rows(scanned["local"], marks)
    # the findings the Spark job wrote are the ones the local scan printed
    from compliance.engines.spark import read_output

    _, rows = read_output(scanned["out"])
    written = sorted(json.dumps(f, sort_keys=True) for r in rows if r["t"] == "doc" for f in r["findings"])
    printed = sorted(json.dumps(json.loads(line), sort_keys=True) for line in scanned["local_stdout"].splitlines())
    assert written == printed


def test_reports_after_import_match_a_local_scan(scanned, tmp_path):
    def report(db: Path) -> dict:
        res = _cli(db, "report", "--stdout", "--format", "json")
        assert res.exit_code == 0, res.output
        data = json.loads(res.stdout)
        data.pop("generated_at"), data.pop("registry")
        return json.loads(json.dumps(data).replace(_updated(db), "T"))

    def _updated(db: Path) -> str:
        return _rows(db, "SELECT max(updated_at) FROM findings")[0][0]

    assert report(scanned["spark"]) == report(scanned["local"])
    res = _cli(scanned["spark"], "evidence", "--all-sites", "--out", tmp_path / "ev")
    assert res.exit_code == 0, res.output
    assert list((tmp_path / "ev" / "evidence").iterdir())


def test_a_damaged_record_is_counted_and_the_job_completes(scanned):
    summary = json.loads((scanned["out"] / "_summary.json").read_text())
    assert summary["errors"] == 1 and summary["files"] == 4
    local_run = _rows(scanned["local"], "SELECT documents, findings, errors FROM scan_runs")
    assert local_run == [(summary["documents"], summary["findings"], summary["errors"])]
    (err,) = _rows(scanned["spark"], "SELECT path, offset, message FROM scan_errors")
    assert err[0].endswith("damaged.warc.gz") and err[1] > 0 and "record at offset" in err[2]
    assert _rows(scanned["local"], "SELECT path, offset, message FROM scan_errors") == [err]
    # the records after the damaged one were read
    urls = {r[0] for r in _rows(scanned["spark"], "SELECT url FROM documents WHERE path LIKE '%damaged%'")}
    assert urls and scanned["import"]["errors"] == 1
    assert "Errors: 1" in scanned["spark_result"].stderr


def test_importing_twice_duplicates_nothing(scanned):
    tables = ["findings", "documents", "scanned", "scan_errors", "scan_runs"]
    before = {t: _rows(scanned["spark"], f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    res = _cli(scanned["spark"], "import-findings", scanned["out"], "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["imported_before"] is True
    after = {t: _rows(scanned["spark"], f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    assert after == before and before["scan_runs"] == 1
    assert _findings(scanned["spark"]) == _findings(scanned["local"])


def test_a_list_file_of_paths_and_uris(scanned, tmp_path):
    """A text file naming WARCs (relative, absolute, file://) scans as if they were passed one by one."""
    warcs = scanned["warcs"]
    listing = scanned["dir"] / "warcs.txt"
    listing.write_text(f"# crawl segment\n{warcs[0].name}\n{warcs[1]}\n{warcs[2].as_uri()}\n\n{warcs[3]}\n")
    db = tmp_path / "list.db"
    _copy_db(scanned["base"], db)
    out = tmp_path / "out"
    res = _cli(db, "scan", "--engine", "spark", listing, "--output", out, "--partitions", "2", "--format", "jsonl")
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "_summary.json").read_text())
    assert summary["files"] == 4 and summary["partitions"] == 2
    assert len(res.stdout.splitlines()) == summary["findings"]  # --format prints the findings too
    assert _cli(db, "import-findings", out).exit_code == 0
    # same works, passages and verdicts; the document paths are the list's (the file:// entry's is its path)
    strip = {(r[0], r[1], r[4], r[5], r[8]) for r in _findings(db)}
    assert strip == {(r[0], r[1], r[4], r[5], r[8]) for r in _findings(scanned["local"])}


def test_output_folder_must_be_new_and_is_required(scanned, tmp_path):
    res = _cli(scanned["spark"], "scan", "--engine", "spark", scanned["warcs"][0], "--output", scanned["out"])
    assert res.exit_code == 2 and "already exists" in res.output
    res = _cli(scanned["spark"], "scan", "--engine", "spark", scanned["warcs"][0])
    assert res.exit_code == 2 and "--output" in res.output


def test_without_pyspark_the_spark_engine_says_how_to_install_it(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_pyspark(name, *args, **kwargs):
        if name == "pyspark" or name.startswith("pyspark."):
            raise ImportError("No module named 'pyspark'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    warc = tmp_path / "a.warc.gz"
    build_warc(warc, _pages()[:1])
    res = _cli(tmp_path / "r.db", "scan", "--engine", "spark", warc, "--output", tmp_path / "out")
    assert res.exit_code == 2
    assert "pip install 'compliance[spark]'" in res.output
    assert not (tmp_path / "out").exists()


def test_expand_inputs_names_files_as_the_local_engine_does(tmp_path):
    from compliance.engines.spark import expand_inputs

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.warc.gz").write_bytes(b"")
    (tmp_path / "d" / "a.warc").write_bytes(b"")
    lst = tmp_path / "paths.txt"
    lst.write_text("d/a.warc\nhttps://data.example/x.warc.gz\ns3a://bucket/y.warc.gz\n")
    files, errors = expand_inputs([str(tmp_path / "d"), str(lst), str(tmp_path / "missing.warc"), "-"])
    assert [f.name for f in files] == [str(tmp_path / "d" / "a.warc"), str(tmp_path / "d" / "b.warc.gz"),
                                       str(tmp_path / "d" / "a.warc"), "https://data.example/x.warc.gz",
                                       "s3a://bucket/y.warc.gz"]
    assert [f.index for f in files] == list(range(5))
    assert len(errors) == 2 and "no such file" in str(errors[0]) and "standard input" in str(errors[1])
    page = tmp_path / "page.txt"
    page.write_text("A plain page of text, scanned as a document.\n")
    files, _ = expand_inputs([str(page)])
    assert [f.name for f in files] == [str(page)]


def test_without_java_the_spark_engine_says_so(monkeypatch, tmp_path):
    pytest.importorskip("pyspark", reason="needs pyspark to get as far as starting Spark")
    from pyspark.sql import SparkSession

    from compliance.engines import spark as engine
    from compliance.errors import ComplianceError

    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: None))
    monkeypatch.setattr(engine.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    with pytest.raises(ComplianceError, match="needs Java 17"):
        engine._session(engine.SparkScanOptions(output=str(tmp_path / "out"), master="local[1]"))


def test_https_and_http_uris_are_read_by_the_tasks(scanned, tmp_path):
    """A URI the executors fetch themselves (Common Crawl serves WARCs over HTTPS): spooled, then read as a file;
    findings carry the URI as their document path.  Here a local HTTP server stands in."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(scanned["dir"]))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        uris = [base + w.name for w in scanned["warcs"][:3]] + [base + "missing.warc.gz"]
        out = tmp_path / "out"
        res = _cli(scanned["spark"], "scan", "--engine", "spark", *uris, "--output", out)
        assert res.exit_code == 0, res.output
    finally:
        server.shutdown()
    from compliance.engines.spark import read_output

    _, stream = read_output(out)
    rows = list(stream)
    errors = [r for r in rows if r["t"] == "error"]
    assert len(errors) == 1 and "missing.warc.gz: cannot read" in errors[0]["message"]
    found = {(f["document"]["url"], f["work"]["id"], f["verdict"]) for r in rows if r["t"] == "doc"
             for f in r["findings"]}
    paths = {f["document"]["path"] for r in rows if r["t"] == "doc" for f in r["findings"]}
    assert paths <= set(uris[:3]) and paths
    printed = [json.loads(line) for line in scanned["local_stdout"].splitlines()]
    local = {(f["document"]["url"], f["work"]["id"], f["verdict"]) for f in printed
             if "damaged" not in f["document"]["path"]}
    assert found == local


def test_import_into_a_registry_without_some_works_reports_them(scanned, tmp_path):
    """Findings against works this registry lacks are errors naming the works; the others are imported."""
    db = tmp_path / "partial.db"
    assert _cli(db, "register", CORPUS / "works" / "northwind").exit_code == 0
    res = _cli(db, "import-findings", scanned["out"], "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["warnings"] and "registry changed" in data["warnings"][0]
    works = {r[0] for r in _rows(db, "SELECT w.id FROM findings f JOIN works w ON w.num = f.work_num")}
    assert works and all(w.startswith("nw-") for w in works)
    messages = [r[0] for r in _rows(db, "SELECT message FROM scan_errors")]
    assert any("findings for works not in this registry" in m for m in messages)


def test_uris_without_pyarrow_go_through_sparks_filesystem_layer(scanned, tmp_path, monkeypatch):
    """hdfs://, s3a:// and the like, when the tasks cannot open them (no pyarrow or fsspec), are read by
    Spark's Hadoop filesystem layer (binaryFiles): file:// URIs routed that way stand in for them here.
    A missing one is one error, not a failed job."""
    from compliance.engines import spark as engine

    monkeypatch.setattr(engine, "_task_reads", lambda uri: not uri.startswith("file:"))
    monkeypatch.setattr(engine, "expand_inputs",  # keep file:// URIs as URIs, as hdfs:// ones are kept
                        lambda paths: ([engine.InputFile(i, p, p) for i, p in enumerate(paths)], []))
    uris = [w.as_uri() for w in scanned["warcs"][:3]] + [(scanned["dir"] / "missing.warc.gz").as_uri()]
    out = tmp_path / "out"
    res = _cli(scanned["spark"], "scan", "--engine", "spark", *uris, "--output", out)
    assert res.exit_code == 0, res.output
    summary, stream = engine.read_output(out)
    rows = list(stream)
    assert summary["files"] == 3 and summary["errors"] == 1
    assert "missing.warc.gz: no such file" in summary["input_errors"][0]["message"]
    found = {(f["document"]["url"], f["work"]["id"], f["verdict"], f["document"]["path"]) for r in rows
             if r["t"] == "doc" for f in r["findings"]}
    printed = [json.loads(line) for line in scanned["local_stdout"].splitlines()]
    local = {(f["document"]["url"], f["work"]["id"], f["verdict"], Path(f["document"]["path"]).as_uri())
             for f in printed if "damaged" not in f["document"]["path"]}
    assert found == local


def test_a_read_only_unpacked_bundle_is_opened_through_a_copy(tmp_path, monkeypatch):
    """YARN may unpack the shipped archive read-only; SQLite cannot open a database there, so each executor
    copies the snapshot once to a temp folder and links the index cache (still memory-mapped from the bundle)."""
    pyspark = pytest.importorskip("pyspark", reason="the executor side imports pyspark.SparkFiles")
    from compliance.engines import spark as engine
    from compliance.registry import Registry
    from compliance.rules import load_rules

    db = tmp_path / "r.db"
    assert _cli(db, "register", CORPUS / "works" / "northwind").exit_code == 0
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    engine.snapshot_registry(db, bundle / "registry.db")
    rules = load_rules(RULES)
    with Registry(bundle / "registry.db", create=False) as reg:
        reg.build_index(rules.matcher)
        key = f"{reg.registry_version()}/{rules.version()}/{engine.__version__}"
    shutil.copytree(RULES, bundle / "rules")

    class Files:
        @staticmethod
        def get(name: str) -> str:
            return str(bundle)

    monkeypatch.setattr(pyspark, "SparkFiles", Files)
    from compliance.engines.spark import shipping  # the module that opens the bundle on an executor

    monkeypatch.setattr(shipping, "_writable", lambda folder: False)
    monkeypatch.setattr(shipping.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    monkeypatch.setattr(shipping, "_SCANNERS", {})
    scanner = engine._executor_scanner(engine._Shipped("c-1.tar", key, 1 << 24, 64, 1 << 20))
    copy = tmp_path / "tmp" / "compliance-c-1"
    assert Path(scanner.registry.path) == copy / "registry.db"
    assert (copy / "registry.db.index").is_symlink()
    assert engine._executor_scanner(engine._Shipped("c-1.tar", key, 1 << 24, 64, 1 << 20)) is scanner
