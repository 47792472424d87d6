"""No network: nothing fetches a URL unless an option asks for it (and none does).

Every command runs in a child process whose ``sitecustomize`` blocks
internet sockets (``connect``, ``connect_ex``, ``getaddrinfo``,
``create_connection``) and logs each attempt.  The inputs are full of URLs
a careless parser would follow: images, stylesheets, scripts and iframes in
HTML, links and enclosures in a feed, an XML external entity, a JSONL export
whose rows point to URLs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, RULES
from inputs_helpers import PUBLISHER, build_warc, write_works

_SITECUSTOMIZE = '''
import os, socket
_LOG = os.environ["NO_NETWORK_LOG"]


def _refuse(what, target):
    with open(_LOG, "a") as fh:
        fh.write(f"{os.getpid()} {what} {target!r}\\n")
    raise OSError(101, f"network blocked by the test: {what} {target!r}")


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse("connect", address)
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse("connect_ex", address)
    return _connect_ex(self, address)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
socket.getaddrinfo = lambda host, *a, **k: _refuse("getaddrinfo", host)
socket.create_connection = lambda address, *a, **k: _refuse("create_connection", address)
'''


def test_no_command_touches_the_network(tmp_path):
    """register, scan (HTML, feed, WARC, JSONL full of remote URLs), report, evidence and check all succeed
    with internet sockets blocked, and not one connection or name lookup is attempted."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    log = tmp_path / "network.log"
    env = dict(os.environ, NO_NETWORK_LOG=str(log), PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join([str(site), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), 1)"],
                           env=env, capture_output=True, text=True)
    assert probe.returncode != 0 and "network blocked by the test" in probe.stderr  # the block is in place
    log.unlink()

    works = write_works(tmp_path / "works", 2)
    copy = works["story-0"].split("\n\n")
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    remote = "http://tracker.invalid"
    (crawl / "page.html").write_text(
        f"<!DOCTYPE html><html><head><link rel=stylesheet href='{remote}/s.css'><script src='{remote}/x.js'></script>"
        f"<base href='{remote}/'><meta http-equiv=refresh content='0;url={remote}/r'></head><body>"
        f"<img src='{remote}/pixel.gif'><iframe src='{remote}/frame'></iframe><article>"
        + "".join(f"<p>{p}</p>" for p in copy) + f"</article><a href='{remote}/more'>more</a></body></html>")
    (crawl / "feed.rss").write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY ext SYSTEM "{remote}/ext.dtd">]>'
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>t</title><link>{remote}/</link><item><title>x</title><link>{remote}/item</link>"
        f"<enclosure url='{remote}/a.mp3' type='audio/mpeg'/><description>&ext;</description>"
        f"<content:encoded><![CDATA[<img src='{remote}/i.png'>" + "".join(f"<p>{p}</p>" for p in copy[1:])
        + "]]></content:encoded></item></channel></rss>")
    build_warc(crawl / "c.warc.gz", [(f"{remote}/w", "2025-01-01T00:00:00Z",
                                      f"<html><body><img src='{remote}/p.png'>"
                                      + "".join(f"<p>{p}</p>" for p in copy[:3]) + "</body></html>")])
    (crawl / "rows.jsonl").write_text(json.dumps({"url": f"{remote}/j", "html": f"<img src='{remote}/q'>"
                                                  + "".join(f"<p>{p}</p>" for p in copy)}) + "\n"
                                      + json.dumps({"url": f"{remote}/k", "path": "page.html"}) + "\n")
    db = tmp_path / "r.db"

    def run(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        r = subprocess.run([sys.executable, "-m", "compliance", "--db", str(db), "--rules", str(RULES), *args],
                           env=env, capture_output=True, text=True, timeout=180)
        assert r.returncode in ok, (args, r.stderr)
        return r

    run("register", str(tmp_path / "works"), "--publisher", PUBLISHER)
    found = run("scan", str(crawl), "--workers", "2", "--format", "jsonl")
    assert len(found.stdout.splitlines()) >= 4  # the page, the feed item, the WARC capture, the JSONL row
    out = tmp_path / "reports"
    run("report", "--out", str(out))
    run("evidence", "--all-sites", "--out", str(out))
    for packet in (out / "evidence").iterdir():
        run("evidence", "--verify", str(packet))
    run("check", str(crawl), "--no-store", "--format", "sarif", "-o", str(tmp_path / "c.sarif"), ok=(1,))
    run("check", str(crawl), "--no-store", "--format", "junit", "-o", str(tmp_path / "c.xml"), ok=(1,))
    assert not log.exists(), log.read_text()
