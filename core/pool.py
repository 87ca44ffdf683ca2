"""A few worker interpreters that turn picklable jobs into bytes, answered in the order given.

Plain interpreters, not ``multiprocessing``/``concurrent.futures``: their spawned children re-run the
parent's ``__main__``, which under Streamlit is the page script. A worker keeps its stdout for the
answers alone. The work is named as ``"package.module:function"`` and imported by the worker only,
so this module imports nothing of ours.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

FRAME = b"PDF-ZIP1"
ROOT = Path(__file__).resolve().parent.parent
# What the caller may catch to do the rest of the work itself: a worker could not start or stopped.
FAILURES = (OSError, EOFError, ValueError, pickle.PickleError)


def cpus() -> int:
    """The processors this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run(target: str, jobs: Sequence, workers: int) -> Iterator[bytes]:
    """``target(job)`` for every job, in order; job ``i`` goes to worker ``i % workers``."""
    command = (f"import sys; out = sys.stdout.buffer; sys.stdout = sys.stderr; "
               f"from core.pool import serve; serve({target!r}, sys.stdin.buffer, out)")
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    procs = [subprocess.Popen([sys.executable, "-c", command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              cwd=ROOT, env=env) for _ in range(workers)]
    try:
        for index, proc in enumerate(procs):  # fed from threads: a full pipe must not block the reading
            threading.Thread(target=_feed, args=(proc.stdin, jobs[index::workers]), daemon=True).start()
        for index in range(len(jobs)):
            yield read_frame(procs[index % workers].stdout)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _feed(pipe, jobs: Sequence) -> None:
    try:
        for job in jobs:
            pickle.dump(job, pipe, protocol=pickle.HIGHEST_PROTOCOL)
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
    while True:
        try:
            job = pickle.load(source)
        except EOFError:
            return
        answer = work(job)
        sink.write(FRAME + len(answer).to_bytes(8, "big") + answer)
        sink.flush()
