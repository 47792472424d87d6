"""The scan's worker processes: forked once, fed batches through one pipe each.

Forked, so every worker shares the parent's seed index (memory-mapped) and
matcher without copying them.  The parent is the only one waiting on the
pipes, and there are no threads: no feeder or manager thread and no exit hook
that could still be writing to a pipe while the interpreter shuts down (the
"Bad file descriptor" tracebacks ``concurrent.futures`` printed at the end of
busy scans, issue 16).  A worker that dies costs only its batch, which is
matched again item by item.  The scan loop (:mod:`compliance.scan`) gives the
pool its batch function and its worker set-up.

A batch's items are documents the parent read (WARC records, feed items) or
:class:`~compliance.inputs.FileRef` paths of files the worker reads itself:
a path crosses the pipe instead of the page, and the document comes back
once, with its outcome.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections import deque
from typing import Any, Callable

from .models import Document

#: an item of a batch: a document the parent read, or a compliance.inputs.FileRef the worker reads
Item = Any

__all__ = ["WorkerPool", "die_with_parent", "Outcome"]

#: what scanning one item of a batch gives: ("done", doc, findings, suppressed), ("skip", doc, None, None),
#: ("error", InputError, None, None), or ("many", FileRef, None, None) for a file handed on unread that holds
#: many documents after all (a WARC saved as .txt), which the parent reads itself
Outcome = tuple[str, Any, Any, Any]


def die_with_parent() -> None:
    """Linux: end this worker when the scan process dies, even by SIGKILL (no orphans left waiting)."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass



def _ahead_bytes(conn: Any) -> int:
    """How large a batch may be to be sent ahead on this pipe: a quarter of its send buffer (the kernel counts
    its own overhead in it), so a batch sent ahead always fits while the worker is busy."""
    import socket

    fd = os.dup(conn.fileno())
    try:
        sock = socket.socket(fileno=fd)
    except OSError:  # not a socket: nothing is sent ahead
        os.close(fd)
        return 0
    with sock:
        return sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // 4


class _Task:
    """A batch handed to the pool: its items, then their outcomes (or the exception it raised, or that its
    worker died on it)."""

    __slots__ = ("docs", "outcomes", "error", "died", "_payload")

    def __init__(self, docs: list[Item]) -> None:
        self.docs = docs
        self.outcomes: list[Outcome] | None = None
        self.error: BaseException | None = None
        self.died = False
        self._payload: bytes | None = None

    @property
    def done(self) -> bool:
        return self.outcomes is not None or self.error is not None or self.died

    @property
    def payload(self) -> bytes:
        """The items as they cross the pipe (pickled once, when first sent or sized)."""
        if self._payload is None:
            from multiprocessing.reduction import ForkingPickler

            self._payload = bytes(ForkingPickler.dumps(self.docs))
        return self._payload


class _Worker:
    """One forked worker process and the parent's end of its pipe; ``tasks`` are the batches sent to it and not
    answered yet, the one it is scanning first (and at most one more, sent ahead: see :meth:`takes`)."""

    def __init__(self, ctx: Any, db_path: str, others: list["_Worker"], pool: "WorkerPool") -> None:
        import signal

        parent_end, child_end = ctx.Pipe(duplex=True)
        inherited = [w.conn for w in others] + [parent_end]  # closed in the child: EOF means the parent is gone
        self.process = ctx.Process(target=_worker_main, args=(child_end, db_path, inherited, pool.init, pool.run_batch,
                                                              pool.thin), daemon=True)
        # no signal handler of the parent may run in the child before _worker_main resets them
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        # the parent's objects frozen out of the collector's sight in the child: a worker's collections would
        # otherwise write to every object it shares with the parent, copying those pages one fault at a time
        # (a process that freezes its objects itself, as the CLI does, keeps them frozen)
        frozen = gc.get_freeze_count()
        gc.freeze()
        try:
            self.process.start()
        finally:
            if not frozen:
                gc.unfreeze()
            child_end.close()
            self.conn = parent_end
            self.tasks: deque[_Task] = deque()
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        self.ahead_bytes = _ahead_bytes(parent_end)

    def takes(self, task: _Task) -> bool:
        """Whether to send *task* now: to an idle worker, or one batch ahead to a busy one when it is small
        enough to wait in the pipe's buffer (a batch of unread files, a few KB), so that the worker starts it
        the moment it finishes, without waiting for the parent to come back from storing.

        Never more than one ahead, and never a batch that might not fit: the parent never blocks sending to
        a worker that is itself blocked sending its outcomes back.
        """
        if not self.tasks:
            return True
        return len(self.tasks) == 1 and len(task.payload) <= self.ahead_bytes

    def send(self, task: _Task) -> None:
        """Hand *task* to this worker; a worker found dead has died on it."""
        self.tasks.append(task)
        try:
            self.conn.send_bytes(task.payload)
        except (OSError, EOFError):
            self.tasks.pop()
            task.died = True

    def stop(self, abort: bool) -> None:
        """End the process and wait for it (:meth:`end`, then :meth:`reap`)."""
        self.end(abort)
        self.reap()

    def end(self, abort: bool) -> None:
        """Ask the process to finish (idle, at the end of a scan) or terminate it (an interrupted scan)."""
        if self.process.is_alive():
            if abort or self.tasks:
                self.process.terminate()
            else:
                with contextlib.suppress(OSError):
                    self.conn.send(None)

    def reap(self) -> None:
        """Wait for the ended process (killed after 10 s) and close its pipe: nothing of the pool outlives the
        scan."""
        proc = self.process
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join()
        self.conn.close()
        proc.close()


def _made_here(item: Item) -> bool:
    """Whether the worker makes the document it scans for *item*: a file it reads, a page it extracts (changed
    in place); the parent holds any other document as the worker will have it."""
    from .inputs import is_pending

    return not isinstance(item, Document) or is_pending(item)


def _slim(made_here: list[bool], outcomes: list[Outcome], thin: bool = False) -> list[Outcome]:
    """Outcomes as a worker sends them back: a document the parent already holds unchanged is left out
    (its text crossed the pipe once); a document the worker read or extracted comes back whole, or with
    *thin*, without its text when it has no findings and no URL (nothing but its hashes is stored: see
    :meth:`Document.drop_text`).  Replies stay small enough for the pipe's buffer: the worker goes on with
    its next batch at once instead of waiting for the parent to read a page-laden reply."""
    out = []
    for made, (kind, item, f, s) in zip(made_here, outcomes):
        if kind in ("done", "skip") and not made:
            item = None
        elif thin and made and kind in ("done", "skip") and not f and not item.url:
            item.drop_text()
        out.append((kind, item, f, s))
    return out


def _fatten(docs: list[Item], outcomes: list[Outcome]) -> list[Outcome]:
    """The parent's side of :func:`_slim`: each outcome with its document again."""
    return [(kind, doc if item is None else item, f, s) for doc, (kind, item, f, s) in zip(docs, outcomes)]


def _worker_main(conn: Any, db_path: str, inherited: list[Any], init: Callable[[str], None],
                 run_batch: Callable[[list[Item]], list[Outcome]], thin: bool) -> None:
    """A worker's life: batches in from the pipe, outcomes out, until told to stop or the pipe closes.

    Never raises and never prints: an exception from the batch function goes
    back to the parent (which raises it there), and the process ends with
    ``os._exit`` so no cleanup inherited from the parent runs in it.
    """
    import pickle
    import signal

    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # terminate() ends a worker at once, quietly
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        for other in inherited:  # the parent's ends of the pipes, its own and its siblings'
            other.close()
        try:
            init(db_path)
            failed: BaseException | None = None
        except Exception as exc:  # reported with the first batch, by the parent
            failed = exc
        while True:
            try:
                docs = conn.recv()
            except (EOFError, OSError):
                break
            if docs is None:
                break
            try:
                if failed is not None:
                    raise failed
                made_here = [_made_here(d) for d in docs]
                reply: tuple[str, Any] = ("ok", _slim(made_here, run_batch(docs), thin))
            except Exception as exc:
                reply = ("raise", exc)
            try:
                conn.send(reply)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                conn.send(("raise", RuntimeError(f"a worker's result could not be sent back: {exc!r}")))
    except BaseException:  # noqa: BLE001 - a worker's end is never a traceback; the parent sees it died
        code = 1
    finally:
        os._exit(code)


class WorkerPool:
    """Worker processes (forked, so they share the parent's index), or the calling process for one worker.

    Each worker is a forked process with one pipe to the parent; the parent
    hands a batch to an idle worker, and a small one (paths of unread files)
    ahead to a busy worker, so that a worker need not wait for the parent to
    come back from storing to start its next batch (:meth:`_Worker.takes`).
    The parent is the only one waiting on the pipes.  There are no threads: no feeder or manager thread and no exit
    hook that could still be writing to a pipe when the interpreter shuts
    down, which is how ``concurrent.futures``' pool printed "Bad file
    descriptor" tracebacks at the end of busy scans (see :meth:`close`).

    A worker that dies (a crash in a parser on hostile markup, the OOM
    killer) costs only its batch: :meth:`result` runs that batch's items
    again one by one, and an item that kills a worker again is reported as
    that document's (or file's) error; a batch sent ahead to it goes to
    another worker.  The scan goes on either way.
    """

    def __init__(self, workers: int, db_path: str, run_batch: Callable[[list[Item]], list[Outcome]],
                 init: Callable[[str], None], doc_error: Callable[[Item, str], Any],
                 warm_extractor: bool = True, thin: bool = False) -> None:
        self.run_batch, self.init, self.doc_error, self.thin = run_batch, init, doc_error, thin
        import multiprocessing

        self.workers = workers
        self.db_path = db_path
        self.ctx: Any = None
        self.procs: list[_Worker] = []
        self.queue: deque[_Task] = deque()  # submitted, not sent to a worker yet
        if "fork" not in multiprocessing.get_all_start_methods():
            self.workers = workers = 1  # workers share the parent's index through fork; without it, run in-process
        if workers > 1:
            if warm_extractor:  # HTML ahead: import the extractor (0.4 s) once, before fork, not in every worker
                from .extract import extract_html

                extract_html("<html><body><p>warm up</p></body></html>")
            self.ctx = multiprocessing.get_context("fork")
            for _ in range(workers):
                self.procs.append(_Worker(self.ctx, db_path, self.procs, self))

    def submit(self, docs: list[Item]) -> Any:
        """Start scanning a batch: its outcomes (in-process) or a handle for :meth:`result`."""
        if self.ctx is None:
            return self.run_batch(docs)
        task = _Task(docs)
        self.queue.append(task)
        self._dispatch()
        return task

    def poll(self) -> None:
        """Collect finished batches and hand waiting ones to the workers, without waiting.

        The parent calls this while it reads documents: with no threads, a
        worker that finished while the parent was reading or storing would
        otherwise wait for the parent's next batch to get its next one.
        """
        if self.ctx is not None and self.queue:
            self._pump(block=False)

    def ready(self, handle: Any) -> bool:
        """Whether :meth:`result` would return at once (collects what the workers have finished)."""
        if not isinstance(handle, _Task):
            return True
        if not handle.done:
            self._pump(block=False)
        return handle.done

    def result(self, docs: list[Item], handle: Any) -> list[Outcome]:
        """The outcomes of a batch, in order, waiting for them; a batch whose worker died is scanned again
        item by item."""
        if not isinstance(handle, _Task):
            return handle
        self._wait(handle)
        if handle.error is not None:
            raise handle.error
        if not handle.died:
            assert handle.outcomes is not None
            return handle.outcomes
        outcomes = []
        for doc in docs:  # alone, to find the document that kills a worker
            alone = _Task([doc])
            self.queue.appendleft(alone)
            self._wait(alone)
            if alone.error is not None:
                raise alone.error
            if alone.died:
                outcomes.append(("error", self.doc_error(doc, "a worker process died reading this document (crash or "
                                                          "out of memory); skipped"), None, None))
            else:
                assert alone.outcomes is not None
                outcomes.append(alone.outcomes[0])
        return outcomes

    def _wait(self, task: _Task) -> None:
        self._dispatch()
        while not task.done:
            self._pump(block=True)

    def _dispatch(self) -> None:
        """Hand waiting batches to idle workers, then one ahead to busy ones (a dead worker is replaced first)."""
        for ahead in (False, True):
            for i, w in enumerate(self.procs):
                if not self.queue:
                    return
                if w.tasks and not ahead:
                    continue
                if not w.tasks and not w.process.is_alive():
                    w.stop(abort=True)
                    w = self.procs[i] = _Worker(self.ctx, self.db_path, [o for o in self.procs if o is not w], self)
                if w.takes(self.queue[0]):
                    w.send(self.queue.popleft())

    def _pump(self, block: bool) -> None:
        """Collect the outcomes the busy workers have sent (waiting for one when *block*)."""
        from multiprocessing.connection import wait

        busy = [w for w in self.procs if w.tasks]
        if not busy:
            self._dispatch()
            return
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], None if block else 0))
        for w in busy:
            if w.conn not in ready and w.process.sentinel not in ready:
                continue
            died = False
            while w.tasks:  # every answer that is in, in the order the batches were sent
                try:
                    if not w.conn.poll():
                        died = not w.process.is_alive()  # else it is still scanning the next one
                        break
                    kind, value = w.conn.recv()
                except (EOFError, OSError):  # the pipe broke: the process is gone
                    died = True
                    break
                task = w.tasks.popleft()
                if kind == "ok":
                    task.outcomes = _fatten(task.docs, value)
                else:
                    task.error = value
            if died:  # the process ended without an answer: replaced; its batch is matched again in result(),
                # and the one sent ahead, never started, goes back to the front of the queue
                lost = list(w.tasks)
                w.tasks.clear()
                lost[0].died = True
                self.queue.extendleft(reversed(lost[1:]))
                j = self.procs.index(w)
                w.stop(abort=True)
                self.procs[j] = _Worker(self.ctx, self.db_path, [o for o in self.procs if o is not w], self)
        self._dispatch()

    def close(self, abort: bool = False) -> None:
        """End every worker and wait for it, before the scan returns.

        A finished scan asks idle workers to stop; an interrupted or failed
        one (*abort*) terminates them.  Either way each process is joined and
        each pipe closed here, by the one thread that used them: nothing is
        left for the interpreter's exit.  (``ProcessPoolExecutor`` left its
        manager thread closing its wake-up pipe while the exit hook
        ``concurrent.futures.process._python_exit`` wrote to it unlocked: the
        "Bad file descriptor" traceback of issue 16.)
        """
        procs, self.procs = self.procs, []
        self.queue.clear()
        for w in procs:  # every worker told first: they exit (unmap, free) side by side
            w.end(abort)
        for w in procs:
            w.reap()
        self.ctx = None
