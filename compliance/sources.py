"""Registration inputs: text pages, HTML pages, folders and JSONL manifests.

Each input becomes a :class:`~compliance.registry.WorkRecord`: the text whose
offsets findings will index, the article body inside it, and the notice that
says who holds it.  A bad input yields an :class:`InputError` for that input
only; the rest still registers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from .errors import InputError
from .extract import extract_html
from .models import sha256_text
from .notices import Notice, find_notices, find_notices_html, order_notices
from .page import split_page
from .reading import decode_text, looks_binary, read_bytes, read_text
from .registry import NoticeRecord, WorkRecord
from .settings import MatcherSettings

__all__ = ["iter_work_records", "WORK_SUFFIXES"]

WORK_SUFFIXES = (".txt", ".html", ".htm", ".html.gz", ".htm.gz")


def _notice_record(n: Notice) -> NoticeRecord:
    return NoticeRecord(text=n.text, holder=n.holder, years=n.years, all_rights_reserved=n.all_rights_reserved,
                        restriction=n.restriction, contact_email=n.contact_email, license=n.license,
                        source=n.source, start=n.start, end=n.end)


def _publisher(given: str | None, notices: list[Notice], name: str) -> str:
    if given:
        return given
    for n in notices:  # ordered by order_notices: the page's own notice first, picture credits last
        if n.holder and n.kind != "credit":
            return n.holder
    raise InputError(f"{name}: no publisher: the page has no copyright notice naming a holder. "
                     f"Pass --publisher NAME, or a 'publisher' field in the manifest.")


def _is_work_file(p: Path) -> bool:
    name = p.name.lower()
    return any(name.endswith(s) for s in WORK_SUFFIXES)


def record_from_text(text: str, *, work_id: str, name: str, publisher: str | None = None, title: str | None = None,
                     url: str | None = None, published: str | None = None, author: str | None = None,
                     contact: str | None = None, notice_text: str | None = None) -> WorkRecord:
    """A work from page text: body, bio and notice separated (offsets index *text*)."""
    if not text.strip():
        raise InputError(f"{name}: empty text")
    parts = split_page(text)
    notices = order_notices(parts.notices)  # the page's own notice first: the registry's main notice
    if notice_text:
        extra = find_notices(notice_text)
        for n in extra:
            n.start = n.end = None  # type: ignore[assignment]
            n.source = "manifest"
        notices.extend(extra)
    return WorkRecord(
        id=work_id, text=text, publisher=_publisher(publisher, notices, name), title=title or parts.title, url=url,
        published=published, author=author or parts.author, body_start=parts.body_start, body_end=parts.body_end,
        notices=[_notice_record(n) for n in notices], contact_email=contact, source_path=name, source_format="text",
    )


def record_from_html(html: str, *, work_id: str, name: str, publisher: str | None = None, title: str | None = None,
                     url: str | None = None, published: str | None = None, author: str | None = None,
                     contact: str | None = None, raw_sha256: str | None = None) -> WorkRecord:
    """A work from an HTML page: trafilatura's body is the registered text."""
    ex = extract_html(html, url)
    if not ex.text.strip():
        raise InputError(f"{name}: no article text found in the HTML")
    notices = order_notices(find_notices_html(html), html=html)
    return WorkRecord(
        id=work_id, text=ex.text, publisher=_publisher(publisher, notices, name), title=title or ex.title, url=url,
        published=published, author=author, body_start=0, body_end=len(ex.text),
        notices=[_notice_record(n) for n in notices], contact_email=contact, source_path=name,
        source_format="html", raw_sha256=raw_sha256,
    )


def _from_file(path: Path, publisher: str | None, **meta: str | None) -> WorkRecord:
    lower = path.name.lower()
    stem = path.name.split(".")[0] if lower.endswith(".gz") else path.stem
    work_id = meta.pop("work_id", None) or stem
    if lower.endswith((".html", ".htm", ".html.gz", ".htm.gz")):
        data = read_bytes(path)
        if not data.strip():
            raise InputError(f"{path}: empty file")
        if looks_binary(data):
            raise InputError(f"{path}: binary file, not HTML")
        import hashlib

        html = data.decode("utf-8", errors="replace")
        return record_from_html(html, work_id=work_id, name=str(path), publisher=publisher,
                                raw_sha256=hashlib.sha256(data).hexdigest(), **meta)
    text = read_text(path)
    return record_from_text(text, work_id=work_id, name=str(path), publisher=publisher, **meta)


def _walk(path: Path, seen: set[Path]) -> Iterator[Path | InputError]:
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:
        yield InputError(f"{path}: cannot resolve ({exc})")
        return
    if real in seen:
        yield InputError(f"{path}: directory loop (already visited {real}); skipped")
        return
    seen.add(real)
    try:
        children = sorted(path.iterdir())
    except OSError as exc:
        yield InputError(f"{path}: cannot list ({exc.strerror})")
        return
    for child in children:
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child, seen)
        elif _is_work_file(child):
            yield child
        elif child.is_file():
            yield InputError(f"{child}: skipped (not .txt or .html)")


# A job is a small picklable tuple describing one work to read; running it
# (parsing the page, reading its notice, fingerprinting it) is the costly part,
# so jobs can run in a process pool while the parent writes to SQLite.
Job = tuple


def _run_job(job: Job) -> WorkRecord | InputError:
    kind, where, args, extra_notice = job
    try:
        if kind == "file":
            path, pub, meta = args
            rec = _from_file(Path(path), pub, **meta)
        elif kind == "html":
            html, kwargs = args
            rec = record_from_html(html, **kwargs)
        else:
            text, kwargs = args
            rec = record_from_text(text, **kwargs)
        if extra_notice:
            extra = find_notices(str(extra_notice))
            for n in extra:
                n.start = n.end = None  # type: ignore[assignment]
                n.source = "manifest"
            rec.notices.extend(_notice_record(n) for n in extra)
        return rec
    except InputError as exc:
        if where and not str(exc).startswith(where):
            return InputError(f"{where}: {exc}")
        return exc


def _prepare_chunk(items: "list[Job | InputError]", settings: "MatcherSettings | None") -> list[WorkRecord | InputError]:
    """Run a chunk of jobs, then fingerprint their records together (one tokenizer pass)."""
    out = [item if isinstance(item, InputError) else _run_job(item) for item in items]
    if settings is not None:
        from .registry import prepare_records

        prepare_records([r for r in out if isinstance(r, WorkRecord)], settings)
    return out


_POOL_SETTINGS: "MatcherSettings | None" = None


def _pool_prepare_chunk(items: "list[Job | InputError]") -> list[WorkRecord | InputError]:
    return _prepare_chunk(items, _POOL_SETTINGS)


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    import itertools

    while True:
        chunk = list(itertools.islice(items, size))
        if not chunk:
            return
        yield chunk


def _iter_jobs(paths: list[Path], publisher: str | None, manifest: Path | None) -> Iterator[Job | InputError]:
    for path in paths:
        if path.is_dir():
            for item in _walk(path, set()):
                if isinstance(item, InputError):
                    yield item
                else:
                    yield ("file", "", (str(item), publisher, {}), None)
        elif not path.exists():
            yield InputError(f"{path}: no such file or directory")
        else:
            yield ("file", "", (str(path), publisher, {}), None)
    if manifest is not None:
        yield from _iter_manifest(manifest, publisher)


def iter_work_records(paths: list[Path], *, publisher: str | None = None, manifest: Path | None = None,
                      workers: int = 1, settings: "MatcherSettings | None" = None
                      ) -> Iterator[WorkRecord | InputError]:
    """Work records from files, folders and a manifest; errors are yielded, not raised.

    With *settings*, each record also carries its fingerprints (computed where
    it was parsed).  With ``workers > 1`` parsing and fingerprinting run in a
    process pool; records come back in input order.
    """
    import itertools

    jobs = _iter_jobs(paths, publisher, manifest)
    head = list(itertools.islice(jobs, 64))
    if workers <= 1 or len(head) < 64:  # a pool is not worth starting for a few pages
        for chunk in _chunks(itertools.chain(head, jobs), 32):
            yield from _prepare_chunk(chunk, settings)
        return
    import multiprocessing as mp

    global _POOL_SETTINGS
    _POOL_SETTINGS = settings
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        for chunk in pool.imap(_pool_prepare_chunk, _chunks(itertools.chain(head, jobs), 32)):
            yield from chunk


def _manifest_lines(manifest: Path, max_line: int = 64 * 1024 * 1024) -> Iterator[tuple[int, "str | InputError"]]:
    """Lines of a manifest, streamed (a manifest may hold millions of works)."""
    try:
        fh = open(manifest, "rb")
    except OSError as exc:
        yield 0, InputError(f"{manifest}: cannot open ({exc.strerror or exc})")
        return
    with fh:
        for lineno, raw in enumerate(fh, 1):
            if len(raw) > max_line:
                yield lineno, InputError(f"{manifest}:{lineno}: line longer than {max_line} bytes")
                continue
            try:
                yield lineno, decode_text(raw, f"{manifest}:{lineno}")
            except InputError as exc:
                yield lineno, exc


def _iter_manifest(manifest: Path, publisher: str | None) -> Iterator[Job | InputError]:
    base = manifest.parent
    allowed = {"id", "path", "text", "html", "publisher", "title", "url", "published", "author", "contact", "notice"}
    for lineno, line in _manifest_lines(manifest):
        if isinstance(line, InputError):
            yield line
            continue
        if not line.strip():
            continue
        where = f"{manifest}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"{where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            yield InputError(f"{where}: each line must be a JSON object")
            continue
        unknown = set(row) - allowed
        if unknown:
            yield InputError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
            continue
        meta = {k: (str(row[k]) if row.get(k) is not None else None)
                for k in ("title", "url", "published", "author", "contact")}
        pub = publisher or row.get("publisher")
        if row.get("text") is not None or row.get("html") is not None:
            wid = row.get("id")
            if not wid:
                yield InputError(f"{where}: a record with inline text needs an 'id'")
            elif row.get("html") is not None:
                yield ("html", where, (str(row["html"]), dict(work_id=str(wid), name=where, publisher=pub, **meta)),
                       None)
            else:
                yield ("text", where, (str(row["text"]), dict(work_id=str(wid), name=where, publisher=pub,
                                                              notice_text=row.get("notice"), **meta)), None)
        elif row.get("path"):
            p = Path(row["path"])
            p = p if p.is_absolute() else base / p
            meta["work_id"] = str(row["id"]) if row.get("id") else None
            yield ("file", where, (str(p), pub, meta), row.get("notice"))
        else:
            yield InputError(f"{where}: needs 'path' or 'text'")
