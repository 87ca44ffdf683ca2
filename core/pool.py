"""A few worker interpreters that turn picklable jobs into bytes, beside the caller who does the same.

Plain interpreters, not ``multiprocessing``/``concurrent.futures``: their spawned children re-run the
parent's ``__main__``, which under Streamlit is the page script. A worker keeps its stdout for the
answers alone. The work is named as ``"package.module:function"`` and imported by the worker only,
so this module imports nothing of ours.

Who does which job is decided as the work goes: each worker takes the next job from the front when it hands
one back (one job queued ahead, so it never waits for the next), and the caller, who needs no start-up,
builds from the back meanwhile. Nobody waits for a slow or late-starting worker while work is left.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

FRAME = b"PDF-ZIP1"
ROOT = Path(__file__).resolve().parent.parent
# What the caller may catch to do the rest of the work itself: a worker could not start or stopped.
FAILURES = (OSError, EOFError, ValueError, pickle.PickleError)
AHEAD = 2  # jobs handed to a worker before its first answer: the one it builds and the next


def cpus() -> int:
    """The processors this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _Claims:
    """The jobs nobody has taken yet: workers take from the front, the caller from the back."""

    def __init__(self, count: int) -> None:
        self._lock = threading.Lock()
        self._front, self._back = 0, count - 1

    def front(self) -> int | None:
        with self._lock:
            if self._front > self._back:
                return None
            self._front += 1
            return self._front - 1

    def back(self) -> int | None:
        with self._lock:
            if self._front > self._back:
                return None
            self._back -= 1
            return self._back + 1


def run(target: str, jobs: Sequence, workers: int, local: Callable | None = None) -> Iterator[tuple[int, bytes]]:
    """``(index, target(job))`` for every job, in the order they are done.

    ``workers`` interpreters run ``target``; ``local`` (the same work, in this process) builds from the back
    meanwhile. A worker that cannot start or stops raises one of :data:`FAILURES` here; the caller does
    whatever it has not been given.
    """
    claims, answers = _Claims(len(jobs)), queue.Queue()
    command = (f"import sys; out = sys.stdout.buffer; sys.stdout = sys.stderr; "
               f"from core.pool import serve; serve({target!r}, sys.stdin.buffer, out)")
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    procs = [subprocess.Popen([sys.executable, "-c", command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              cwd=ROOT, env=env) for _ in range(workers)]
    try:
        for proc in procs:  # each worker's first jobs are claimed now, before this caller takes any
            first = deque(index for _ in range(AHEAD) if (index := claims.front()) is not None)
            threading.Thread(target=_drive, args=(proc, jobs, claims, answers, first), daemon=True).start()
        for _ in range(len(jobs)):
            yield _next(answers, claims, jobs, local)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _next(answers: queue.Queue, claims: _Claims, jobs: Sequence, local: Callable | None) -> tuple[int, bytes]:
    """A worker's answer when one is ready; else a job built here; else wait for a worker."""
    try:
        index, answer = answers.get_nowait()
    except queue.Empty:
        mine = claims.back() if local else None
        if mine is not None:
            return mine, local(jobs[mine])
        index, answer = answers.get()
    if index is None:
        raise answer
    return index, answer


def _drive(proc, jobs: Sequence, claims: _Claims, answers: queue.Queue, taken: deque[int]) -> None:
    """Keep one worker busy from the front of the jobs (``taken`` are its first); its answers (or its
    failure) go to ``answers``."""
    outbox: queue.Queue = queue.Queue()
    for index in taken:
        outbox.put(index)
    threading.Thread(target=_feed, args=(proc.stdin, jobs, outbox), daemon=True).start()
    try:
        while True:
            while len(taken) < AHEAD and (index := claims.front()) is not None:
                taken.append(index)
                outbox.put(index)
            if not taken:
                break
            answers.put((taken.popleft(), read_frame(proc.stdout)))
    except FAILURES as err:
        answers.put((None, err))
    finally:
        outbox.put(None)


def _feed(pipe, jobs: Sequence, outbox: queue.Queue) -> None:
    """Write the jobs handed to a worker (a thread of its own: a full pipe must not block the reading)."""
    try:
        while (index := outbox.get()) is not None:
            pickle.dump(jobs[index], pipe, protocol=pickle.HIGHEST_PROTOCOL)
            pipe.flush()
        pipe.close()
    except (OSError, ValueError):  # the worker is gone; the reader notices and the caller does the rest
        pass


def read_frame(pipe) -> bytes:
    """One answer from a worker; :class:`EOFError` when the worker stopped."""
    head = pipe.read(len(FRAME) + 8)
    if len(head) != len(FRAME) + 8 or not head.startswith(FRAME):
        raise EOFError("worker stopped")
    size = int.from_bytes(head[len(FRAME):], "big")
    answer = pipe.read(size)
    if len(answer) != size:
        raise EOFError("worker stopped")
    return answer


def serve(target: str, source, sink) -> None:
    """A worker: read pickled jobs until the input ends; write each ``target(job)``, framed."""
    module, name = target.split(":")
    work = getattr(importlib.import_module(module), name)
    gc.freeze()  # the imported modules are not garbage: full collections need not walk them on every job
    while True:
        try:
            job = pickle.load(source)
        except EOFError:
            return
        answer = work(job)
        sink.write(FRAME + len(answer).to_bytes(8, "big") + answer)
        sink.flush()
