"""Where a build's render tasks run: here (a process pool) or on a Dask cluster.

``docbuild build --executor dask --scheduler tcp://HOST:PORT`` sends the same
tasks the local process pool runs (one chapter variant's formats, see
build.py) to the workers of a Dask ``distributed`` scheduler. Each worker
returns the bytes of its editions; this process, the client, writes them
atomically into the output folder and fills the cache, exactly as for a local
build, so the two give byte-identical editions.

What a worker needs, and why it is not sent with the task: the writers read
the layouts, the fonts and the chapter's images by their paths in the project
(the document model names its images by path), so **every worker must see
the project folder at the same path as the client** (one shared or synced
folder: NFS, or the same checkout at the same path on every machine), and
run the same docbuild and libraries (``pip install docbuild[dask]`` from the
same checkout). Shipping the fonts, layouts and images with every task
instead would move megabytes per task and rewrite the model's paths; a
shared folder is what a team running a cluster already has. Nothing is taken
on trust: before rendering, the worker plans the task's editions itself and
compares their keys (the hash of every input file, of docbuild's code, of the
library versions, the paper and ``SOURCE_DATE_EPOCH``) with the client's; a
worker that sees other files, other code or other libraries fails the build
with a message saying which, instead of caching wrong bytes under the key.
(That check is for chapter editions, whose keys the plan knows; other tasks
sent through the same executor, the book's (docbuild.book), get the epoch
and the lock below.) A build with nothing to render never contacts the
scheduler.

The client's ``SOURCE_DATE_EPOCH`` travels with each task (a worker has its
own environment), and a worker process renders one task at a time (a lock),
so a worker started with several threads is still correct; start workers
with ``--nthreads 1`` and one per core (``--nworkers``) to use every core.

Dask is an optional extra: this module imports ``distributed`` only when a
Dask build is asked for, and its absence is a one-line error.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import CancelledError, Executor, Future
from contextlib import contextmanager, nullcontext
from typing import Any, Iterator

from .edition import Edition
from .errors import DocbuildError

EXECUTORS = ("local", "dask")
INSTALL_HINT = "pip install docbuild[dask]"

#: One render at a time per worker process: the writers are not known to be
#: thread-safe, and a task sets SOURCE_DATE_EPOCH for its duration.
_RENDER_LOCK = threading.Lock()


def check_executor(executor: Any, scheduler: Any) -> None:
    """Refuse an unknown executor name, or a scheduler given to the local executor, before any work."""
    if is_dask_client(executor):
        return
    if executor not in EXECUTORS:
        raise DocbuildError(f"unknown executor '{executor}'; choose from {', '.join(EXECUTORS)}")
    if executor == "local" and scheduler is not None:
        raise DocbuildError("--scheduler is for --executor dask; the local executor runs a process pool here")


def open_executor(executor: Any, scheduler: Any) -> Any:
    """A context manager giving the executor for a build's renders: None (build.py's own process pool) or Dask's."""
    if executor == "local":
        return nullcontext(None)
    return dask_executor(executor if is_dask_client(executor) else scheduler)


def _distributed():
    try:
        import distributed
    except ImportError:
        raise DocbuildError(
            f"the dask executor needs Dask's distributed scheduler, which is not installed: {INSTALL_HINT}"
        ) from None
    return distributed


def is_dask_client(value: Any) -> bool:
    """True for a ``distributed.Client`` (checked without importing Dask)."""
    return type(value).__name__ == "Client" and type(value).__module__.startswith("distributed")


@contextmanager
def dask_executor(scheduler: Any = None) -> Iterator[Executor]:
    """A ``concurrent.futures.Executor`` whose render tasks run on a Dask cluster.

    ``scheduler`` is an address (``tcp://HOST:8786``) or a ``distributed.Client``
    (used as it is and left open); without one, Dask's own ``scheduler-address``
    setting (``DASK_SCHEDULER_ADDRESS``) is used. A missing Dask, a scheduler
    that cannot be reached, one with no workers, and a cluster that fails
    during the build are each a one-line :class:`DocbuildError`.
    """
    distributed = _distributed()
    own = not is_dask_client(scheduler)
    # Our own client's log lines (a reconnection's traceback) would break the one-line errors below;
    # a caller's own Client keeps the logging its caller set up.
    with _quiet_logging() if own else nullcontext():
        yield from _run(distributed, scheduler, own)


@contextmanager
def _quiet_logging() -> Iterator[None]:
    import logging

    # Dask's logging config gives distributed.client etc. levels of their own; their records reach the
    # handlers of the "distributed" logger, so those are the ones to quieten.
    handlers = logging.getLogger("distributed").handlers
    levels = [handler.level for handler in handlers]
    for handler in handlers:
        handler.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for handler, level in zip(handlers, levels):
            handler.setLevel(level)


def _run(distributed, scheduler: Any, own: bool) -> Iterator[Executor]:
    if own:
        import dask

        address = scheduler or dask.config.get("scheduler-address", None)
        if not address:
            raise DocbuildError("--executor dask needs --scheduler tcp://HOST:PORT (the address `dask scheduler` prints)")
        client = _connect(distributed, str(address))
    else:
        client, address = scheduler, scheduler.scheduler.address
    try:
        _wait_for_workers(client, address)
        executor = _DaskExecutor(client)
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
    except DocbuildError:
        raise
    except (distributed.client.FutureCancelledError, CancelledError, distributed.comm.CommClosedError) as error:
        # Only the cluster's own failures: an error of the render itself reaches the caller as it would locally.
        why = _reason(error) if str(error).strip() else "its tasks were cancelled (the scheduler or its workers went away)"
        raise DocbuildError(f"the Dask cluster at {address} failed during the build: {why}") from None
    except Exception as error:
        if isinstance(error, distributed.KilledWorker):
            raise DocbuildError(
                f"a Dask worker of {address} died while rendering (out of memory?); see the worker's log: {_reason(error)}"
            ) from None
        raise
    finally:
        if own:
            try:
                client.close(timeout=10)
            except Exception:
                pass  # closing a broken connection must not hide the build's own result


def _connect(distributed, address: str):
    """A client of the scheduler at ``address``; waits as long as Dask's ``distributed.comm.timeouts.connect``."""
    try:
        _check_address(address)
    except (ValueError, TypeError) as error:
        raise DocbuildError(f"'{address}' is not a Dask scheduler address ({_reason(error)}): use tcp://HOST:PORT") from None
    try:
        return distributed.Client(address, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise DocbuildError(
            f"cannot reach the Dask scheduler at {address}: {_reason(error)} "
            "(start one with `dask scheduler`, workers with `dask worker ADDRESS`)"
        ) from None


def _check_address(address: str) -> None:
    """Refuse a malformed address before a Client is made (a half-made Client complains again at exit)."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    scheme, location = parse_address(address)
    if scheme not in backends:
        raise ValueError(f"unknown scheme '{scheme}'")
    if scheme in ("tcp", "tls", "ws", "wss"):
        parse_host_port(location)


def _wait_for_workers(client, address: str) -> None:
    try:
        client.wait_for_workers(1, timeout=float(os.environ.get("DOCBUILD_DASK_WORKER_TIMEOUT", "60")))
    except (TimeoutError, OSError) as error:
        raise DocbuildError(
            f"the Dask scheduler at {address} has no workers: start some with `dask worker {address}` "
            f"({_reason(error)})"
        ) from None


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


class _DaskExecutor(Executor):
    """Dask's ``ClientExecutor`` (concurrent.futures futures, so build._gather works as for a process
    pool), with each render task wrapped so the worker checks it sees the client's inputs."""

    def __init__(self, client):
        self._inner = client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        from .build import render_edition

        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if fn is not render_edition:
            return self._inner.submit(call_on_worker, fn, epoch, args, kwargs)
        edition, formats = args
        return self._inner.submit(render_on_worker, edition, list(formats), _expected_keys(edition, formats), epoch)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait)


def _expected_keys(edition: Edition, formats: list[str]) -> tuple[list[str], str]:
    """The client's keys of the task's editions, and the hash of its docbuild code (to say which differs)."""
    from .plan import code_version, plan

    chapter = edition.chapter
    keys = [job.key for job in plan(edition.project, list(formats), [chapter.lang], [chapter.id], edition.paper)]
    return keys, code_version()


def render_on_worker(
    edition: Edition, formats: list[str], expected: tuple[list[str], str], epoch: str | None
) -> list[tuple[bytes, dict]]:
    """Runs on a Dask worker: check the inputs are the client's, then render as a local worker would."""
    from .build import render_edition

    def checked() -> list[tuple[bytes, dict]]:
        _check_inputs(edition, formats, *expected)
        return render_edition(edition, formats)

    return call_on_worker(checked, epoch, (), {})


def call_on_worker(fn, epoch: str | None, args: tuple, kwargs: dict) -> Any:
    """Runs on a Dask worker: ``fn(*args, **kwargs)`` alone in this process, with the client's SOURCE_DATE_EPOCH."""
    with _RENDER_LOCK:
        saved = os.environ.get("SOURCE_DATE_EPOCH")
        _set_epoch(epoch)
        try:
            return fn(*args, **kwargs)
        finally:
            _set_epoch(saved)


def _set_epoch(value: str | None) -> None:
    if value is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = value


def _check_inputs(edition: Edition, formats: list[str], keys: list[str], code: str) -> None:
    """Refuse a task whose inputs this worker sees differently from the client (see the module's docstring)."""
    import socket

    from . import plan as planning

    root = edition.project.root
    where = f"the Dask worker on {socket.gethostname()} (pid {os.getpid()})"
    if not (root / "source").is_dir():
        raise DocbuildError(
            f"{where} cannot see the project folder {root}: every worker must see it at the same path as the client"
        )
    chapter = edition.chapter
    try:
        mine = [job.key for job in planning.plan(edition.project, list(formats), [chapter.lang], [chapter.id], edition.paper)]
    except DocbuildError as error:
        raise DocbuildError(f"{where} cannot read the project's files: {error.message}", error.path, error.line) from None
    if mine == keys:
        return
    if planning.code_version() != code:
        raise DocbuildError(
            f"{where} runs a different docbuild from the client's: install the same version (the same checkout) "
            "on every worker"
        )
    raise DocbuildError(
        f"{where} sees different inputs for {chapter.id} ({chapter.lang}): the project files at {root} or the "
        "versions of the libraries differ from the client's; sync the project folder and install the same "
        "libraries on every worker"
    )
