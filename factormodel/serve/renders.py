"""A bounded queue for the service's expensive renders (the wijkrapport): one at a time per
worker process, a few waiting in arrival order, and a fast "busy" beyond that.

A wijkrapport costs about half a second of CPU, nearly all of it Python code holding the
interpreter lock (its figures, above all). Rendered side by side in one process, *n*
reports share one core and each takes about *n* times as long: under the load test of
issue 27 (32 requests in flight) a report took 25-32 s, and the latency grew with the
load without bound. Here a process renders one report at a time (more at once would not
finish any sooner), at most ``waiting`` more wait for their turn, and any further request
is refused at once with :class:`Busy`, which says how long the queue ahead is expected to
take (the service answers it as 503 with ``Retry-After``). An accepted report therefore
waits for at most ``waiting`` others; the rest are told to come back instead of waiting
for an unbounded time while holding memory. More capacity comes from more worker
processes (``factormodel serve --workers N``), one queue each.

With ``process=True`` (the service's queue) the render runs in a render process of its
own, started once (``spawn``) and kept: in the server's process it would share the
interpreter lock with every other request in flight, and under the load test a report
that costs 0.6 s of CPU took 9-23 s while 31 light requests ran beside it. The render's
arguments and answer are pickled (a model and the example data: about 0.6 MB, 3 ms).

Examples
--------
>>> queue = RenderQueue(waiting=1)
>>> with queue.slot():
...     queue.busy
(1, 0)
>>> queue.busy
(0, 0)
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["Busy", "RenderQueue"]


class Busy(Exception):
    """Every render slot is taken and the queue behind it is full.

    Parameters
    ----------
    retry_after : int
        Whole seconds after which a slot is expected to be free (at least 1).
    rendering, waiting : int
        Renders running and waiting when the request was refused.
    """

    def __init__(self, retry_after: int, rendering: int, waiting: int) -> None:
        super().__init__(f"{rendering} render(s) running and {waiting} waiting; "
                         f"try again in {retry_after} s")
        self.retry_after = retry_after
        self.rendering = rendering
        self.waiting = waiting


class RenderQueue:
    """At most ``slots`` renders at a time, at most ``waiting`` more waiting in arrival
    order; beyond that, :class:`Busy` at once.

    Parameters
    ----------
    waiting : int
        Requests allowed to wait for a slot (0: only as many as there are slots).
    slots : int
        Renders at a time (1: within one process, renders share one interpreter lock).
    first_estimate : float
        Seconds one render is assumed to take before any has been timed.
    process : bool
        Run :meth:`call`'s function in a render process of its own (one per slot, started
        on the first call and kept), not in the calling thread.

    Raises
    ------
    ValueError
        For ``slots`` below 1 or ``waiting`` below 0.

    Examples
    --------
    >>> queue = RenderQueue(waiting=0)
    >>> with queue.slot():
    ...     try:
    ...         with queue.slot():
    ...             pass
    ...     except Busy as exc:
    ...         exc.retry_after >= 1
    True
    """

    def __init__(self, waiting: int = 1, slots: int = 1, first_estimate: float = 1.0,
                 process: bool = False) -> None:
        if slots < 1 or waiting < 0:
            raise ValueError(f"a render queue needs slots >= 1 and waiting >= 0, got "
                             f"slots={slots}, waiting={waiting}")
        self.slots = slots
        self.waiting = waiting
        self._seconds = float(first_estimate)  # moving average of one render
        self._running = 0
        self._queued = 0
        self._turns: list[int] = []  # tickets waiting, in arrival order
        self._next = 0
        self._cond = threading.Condition()
        self.process = process
        self._pool: ProcessPoolExecutor | None = None

    @property
    def busy(self) -> tuple[int, int]:
        """Renders running and waiting now."""
        with self._cond:
            return self._running, self._queued

    @property
    def seconds_per_render(self) -> float:
        """The moving average of a render's wall time, in seconds."""
        return self._seconds

    def retry_after(self) -> int:
        """Whole seconds until a slot is expected to be free for a new request."""
        with self._cond:
            return self._retry_after()

    def _retry_after(self) -> int:
        ahead = self._running + self._queued
        return max(1, math.ceil(self._seconds * ahead / self.slots))

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a render slot for the block: wait in turn, or raise :class:`Busy` at once
        when the queue is full."""
        with self._cond:
            if self._running + self._queued >= self.slots + self.waiting:
                raise Busy(self._retry_after(), self._running, self._queued)
            ticket = self._next
            self._next += 1
            self._turns.append(ticket)
            self._queued += 1
            try:
                while self._running >= self.slots or self._turns[0] != ticket:
                    self._cond.wait()
            finally:
                self._turns.remove(ticket)
                self._queued -= 1
            self._running += 1
        start = time.monotonic()
        try:
            yield
        finally:
            took = time.monotonic() - start
            with self._cond:
                self._running -= 1
                self._seconds = 0.7 * self._seconds + 0.3 * took
                self._cond.notify_all()

    def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a render slot (:meth:`slot`): in the render process
        when the queue has one, else in this thread.

        Raises
        ------
        Busy
            When the queue is full.
        """
        with self.slot():
            if not self.process:
                return fn(*args, **kwargs)
            with self._cond:
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(
                        self.slots, mp_context=multiprocessing.get_context("spawn"))
                pool = self._pool
            try:
                return pool.submit(fn, *args, **kwargs).result()
            except BrokenProcessPool:
                with self._cond:  # the render process died: the next call starts another
                    if self._pool is pool:
                        self._pool = None
                raise

    def close(self) -> None:
        """Stop the render process, if one was started."""
        with self._cond:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
