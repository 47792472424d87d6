"""`compliance browse`: Datasette on the registry, read-only, on 127.0.0.1, with described tables and canned queries."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases_helpers import COPYCAT, copy_page, register_works, write_warc
from conftest import ROOT, RULES

from compliance.browse import QUERIES, TABLES, serve_args
from compliance.cli import cli


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    """A registry with violations on two sites, a case removed and then reposted, and one open case."""
    base = tmp_path_factory.mktemp("browse")
    db = base / "registry.db"
    runner = CliRunner()

    def run(*args):
        r = runner.invoke(cli, ["--db", str(db), "--rules", str(RULES)] + [str(a) for a in args],
                          catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
        return r

    works = register_works(run, base / "works")
    write_warc(base / "one.warc.gz", [
        {"url": f"{COPYCAT}/news/a", "date": "2025-03-01T10:00:00Z", "body": copy_page(works["story-0"]["paras"])},
        {"url": "https://mirror.example/b", "date": "2025-03-01T10:00:00Z",
         "body": copy_page(works["story-1"]["paras"])}])
    run("scan", base / "one.warc.gz", "--workers", "1")
    run("cases", "open", "--site", "copycat.example")
    run("cases", "open", "--site", "mirror.example")
    run("cases", "mark", "1", "removed", "--at", "2025-03-05")
    write_warc(base / "two.warc.gz", [
        {"url": f"{COPYCAT}/news/z", "date": "2025-04-01T10:00:00Z",
         "body": copy_page(works["story-0"]["paras"], "Again")}])
    run("scan", base / "two.warc.gz", "--workers", "1")
    return db


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    try:
        with opener.open(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_browse_serves_each_canned_query_as_json(registry):
    """The command starts Datasette on a free port of 127.0.0.1; each canned query answers JSON rows."""
    pytest.importorskip("datasette", reason="the browse extra is not installed (pip install 'compliance[browse]')")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "compliance", "--db", str(registry), "browse", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(ROOT))
    base = f"http://127.0.0.1:{port}/registry"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = _get(base + ".json")
                if status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out, err = proc.communicate(timeout=5)
                pytest.fail(f"datasette did not start: {err.decode()[-2000:]}")
            time.sleep(0.25)
        rows = {}
        for name in QUERIES:
            status, body = _get(f"{base}/{name}.json?_shape=array")
            assert status == 200, (name, body[:300])
            rows[name] = json.loads(body)
        assert [(r["case_id"], r["site"], r["status"]) for r in rows["open_cases"]] == [
            (1, "copycat.example", "reposted"), (2, "mirror.example", "open")]
        assert {r["site"]: r["violations"] for r in rows["violations_by_site"]} == {"copycat.example": 2,
                                                                                   "mirror.example": 1}
        (repost,) = rows["reposts"]
        assert (repost["case_id"], repost["url"], repost["status_now"]) == (1, f"{COPYCAT}/news/z", "reposted")
        assert repost["warc_record_id"].startswith("<urn:uuid:")
        top = rows["works_most_copied"][0]
        assert (top["work"], top["violations"], top["urls"]) == ("story-0", 2, 2)
        # read-only: a write through the SQL page is refused, and nothing changed
        status, body = _get(f"{base}.json?sql=DELETE+FROM+cases")
        assert status == 400
        status, body = _get(f"{base}/cases.json?_shape=array")
        assert len(json.loads(body)) == 2
        status, body = _get(f"http://127.0.0.1:{port}/-/metadata.json")
        meta = json.loads(body)
        assert meta["databases"]["registry"]["tables"]["cases"]["description"] == TABLES["cases"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_metadata_describes_every_table_of_the_registry(registry, tmp_path):
    """Every table of a registry has a description, and the four canned queries are there."""
    import sqlite3

    out = tmp_path / "meta.json"
    r = CliRunner().invoke(cli, ["--db", str(registry), "browse", "--metadata-out", str(out)])
    assert r.exit_code == 0 and r.stdout.strip() == str(out)
    meta = json.loads(out.read_text())["databases"]["registry"]
    conn = sqlite3.connect(registry)
    tables = {n for n, in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                       "'sqlite_%'")}
    conn.close()
    assert tables <= set(meta["tables"]), tables - set(meta["tables"])
    assert set(meta["queries"]) == {"open_cases", "violations_by_site", "reposts", "works_most_copied"}


def test_binds_only_to_loopback():
    """Datasette is told to listen on 127.0.0.1, never on every interface, and never as an immutable file."""
    args = serve_args(Path("r.db"), Path("m.json"), 8123)
    assert args[args.index("--host") + 1] == "127.0.0.1" and "-i" not in args and "--immutable" not in args


def test_missing_datasette_says_how_to_install_it(registry, monkeypatch):
    """Without the browse extra the command exits 2 and says how to install it."""
    monkeypatch.setitem(sys.modules, "datasette", None)  # import datasette now raises ImportError
    r = CliRunner().invoke(cli, ["--db", str(registry), "browse"])
    assert r.exit_code == 2
    assert "pip install 'compliance[browse]'" in r.stderr and "Traceback" not in r.output


def test_browse_help_and_readme():
    """`browse` has help with examples, and the README documents it."""
    r = CliRunner().invoke(cli, ["browse", "--help"])
    assert r.exit_code == 0 and "Example" in r.stdout and "127.0.0.1" in r.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "compliance browse" in readme and "compliance[browse]" in readme
