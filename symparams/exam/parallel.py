"""Write many exam versions on every CPU: each version's text in order, as one process would.

A version's questions, worked solutions and feedback are a function of that version
alone, so 1,000 versions split into runs of consecutive versions, which forked processes,
one for each CPU, take in turn; the parent joins the texts in order: the output is the
same bytes for any number of processes. The workers are forked, so they start with the
spec, the versions and the templates already in memory. Where ``fork`` is missing
(Windows) or unsafe (macOS, or a parent that runs other threads, as a notebook's kernel
does), or a worker fails, the parent writes the versions itself, and a template's error is
reported by the parent as it would be without workers.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from typing import Any, Callable, Iterator, Optional, Sequence

#: fewer versions than this for each process are written in one process: forking and
#: passing the texts back costs more than a few dozen versions take
MIN_PER_JOB = 50
#: at most this many processes, whatever the machine has
MAX_JOBS = 8
#: runs of versions for each process: enough that none waits long for the last one
RUNS_PER_JOB = 4

_SHARED: Optional[tuple] = None     # (make, context, runs), read by the forked workers


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def job_count(jobs: Optional[int], items: int) -> int:
    """How many processes write ``items`` versions: ``jobs``, or one for each CPU, and
    never so many that a process has fewer than :data:`MIN_PER_JOB` versions."""
    wanted = jobs if jobs is not None else min(cpus(), MAX_JOBS)
    return max(1, min(wanted, items // MIN_PER_JOB))


def each(make: Callable[[Any, Any], Any], context: Any, items: Sequence, jobs: Optional[int] = None) -> list:
    """``[make(context, item) for item in items]``, split across processes for many items."""
    return list(each_in_order(make, context, items, jobs))


def each_in_order(make: Callable[[Any, Any], Any], context: Any, items: Sequence,
                  jobs: Optional[int] = None) -> Iterator:
    """``make(context, item)`` for each item, yielded in order as the workers finish them:
    the parent can use the first (compress them into a zip, say) while the rest are made,
    and never holds them all at once."""
    n = job_count(jobs, len(items))
    if n == 1 or not _can_fork():
        for item in items:
            yield make(context, item)
        return
    # The parent writes the first item itself: the templates it compiles and the caches it
    # fills on the way are the workers' from the start, not compiled again in each.
    first = make(context, items[0])
    rest = items[1:]
    # Many short runs, handed to whichever worker is free: the workers finish together
    # although some versions take longer than others.
    size = max(MIN_PER_JOB // 2, -(-len(rest) // (n * RUNS_PER_JOB)))
    runs = [list(rest[i:i + size]) for i in range(0, len(rest), size)]
    global _SHARED
    _SHARED = (make, context, runs)
    # What the parent holds is frozen before the fork (the gc module's advice for fork without
    # exec): the workers' collections then skip it instead of walking, and copying, its pages.
    gc.freeze()
    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(n)
        except (OSError, ValueError, AssertionError):     # no processes to be had (a daemon's own child)
            pool = None
        if pool is None:
            yield first
            for item in rest:
                yield make(context, item)
            return
        try:
            yield first
            for run, texts in zip(runs, pool.imap(_run, range(len(runs)))):
                # a worker that failed returns None: the parent writes its run, and raises its error
                yield from (texts if texts is not None else [make(context, item) for item in run])
        finally:
            pool.terminate()
            pool.join()
    finally:
        gc.unfreeze()
        _SHARED = None


def _can_fork() -> bool:
    # Forking a process that runs threads can copy a lock another thread holds (a notebook's
    # kernel runs several); on macOS the system's own libraries are not safe across a fork.
    return ("fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"
            and threading.active_count() == 1)


def _run(index: int):
    make, context, runs = _SHARED
    try:
        return [make(context, item) for item in runs[index]]
    except Exception:       # noqa: BLE001 -- the parent writes this run again and reports the error
        return None
