"""SIGINT and SIGTERM as a clean stop of a scan (exit 130 and 143).

A signal never cuts a batch in half: one that arrives while a batch is being
stored and printed is held until the batch is finished, then raised as
:class:`Interrupted`, which the scan turns into a closing line that says
what was stored and what was not, and a run marked 'interrupted'.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from .scan import ScanSummary

__all__ = ["Interrupted", "stop_on_signals", "SIGNALS"]


class Interrupted(KeyboardInterrupt):
    """A scan stopped by SIGINT (Ctrl-C) or SIGTERM, and what it stored before it stopped.

    A batch is stored and reported in one piece: a signal that arrives while
    one is being stored is held until it is stored and its findings printed,
    so the batch in flight is either committed whole or not at all.
    """

    def __init__(self, signum: int, while_storing: bool = False) -> None:
        super().__init__(signum)
        self.signum = signum
        #: 130 for SIGINT, 143 for SIGTERM: what a shell reports for a process ended by the signal
        self.exit_code = 128 + signum
        self.while_storing = while_storing
        self.summary: "ScanSummary | None" = None
        self.unstored = 0  # documents read but not stored (they are scanned again by the next run)

    def paragraph(self) -> str:
        """The closing line on stderr: which signal, whether the batch in flight was stored, what to do."""
        import signal

        name = signal.Signals(self.signum).name
        if self.summary is None:
            return f"Interrupted by {name}."
        s = self.summary
        if self.while_storing:
            head = f"Interrupted by {name} while storing a batch: that batch was stored first"
            if self.unstored:
                head += f", the {self.unstored} document(s) still being matched were not"
        elif self.unstored:
            head = f"Interrupted by {name}: the batch in flight was not stored ({self.unstored} document(s))"
        else:
            head = f"Interrupted by {name}: nothing was in flight"
        run = f" in run #{s.run_id}, marked interrupted" if s.run_id is not None else ""
        return f"{head}; {s.documents} document(s) stored{run}; run again to finish."


class _Signals:
    """SIGINT and SIGTERM as :class:`Interrupted`, held back while a batch is stored (see :func:`stop_on_signals`)."""

    def __init__(self) -> None:
        self.installed = False
        self.holding = 0
        self.pending: int | None = None

    def handler(self, signum: int, frame: Any) -> None:
        if self.holding:
            self.pending = signum
            return
        raise Interrupted(signum)

    @contextlib.contextmanager
    def hold(self, deliver: bool = True) -> Iterator[None]:
        """No interruption inside the block; one that came meanwhile is raised at its end (when *deliver*,
        and the block did not fail), else kept for :meth:`deliver`."""
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if deliver and not self.holding:
            self.deliver(while_storing=True)

    def deliver(self, while_storing: bool = False) -> None:
        """Raise the interruption that was held, if any."""
        if self.pending is not None and not self.holding:
            signum, self.pending = self.pending, None
            raise Interrupted(signum, while_storing)

    def discard(self) -> None:
        self.pending = None


SIGNALS = _Signals()


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` (exit 130 and 143 in the CLI).

    The default SIGTERM ends Python without cleaning up: the scan run stays
    'running' and nothing says what was stored.  As an exception, it stops
    the scan between stages (a batch being stored is finished first), the
    run is marked interrupted, the workers are ended, and the summary says
    what happened.  Outside the main thread, nothing is installed.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or SIGNALS.installed:
        yield
        return
    old = {sig: signal.signal(sig, SIGNALS.handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    SIGNALS.installed = True
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)
        SIGNALS.installed = False
        SIGNALS.discard()


# ---------------------------------------------------------------- the scan run, stage by stage
#
# run_scan reads as its stages, each a method of _ScanRun below:
#   _ScanRun.start          open the run: the scan_runs row, the worker state
#   _ScanRun.add            gather documents into a batch
#   _ScanRun.unscanned      skip what was scanned (same content, same registry and rules; one query a batch)
#   _ScanRun.match          match the batch (in-process or in the workers)
#   _ScanRun.store          store a matched batch: one transaction, counted in the summary
#   _ScanRun.report         then report it: findings, errors and documents to the callbacks
#   _ScanRun.end            summarise: close the workers, record the run's counts and how it ended
