"""The Monte Carlo on Dask distributed: a `LocalCluster` of worker processes on this machine (one thread each: a task
is a Python process driving its own anvil), or the scheduler of a cluster started elsewhere (`dask scheduler` and
`dask worker`, see docs/calibration.md).

Every task is submitted at once (`Client.map`, not pure: two equal tasks both run) and the results are collected as
they finish, under a rich progress bar. A task returns its failure as a result (`ballast.calibration.tasks`); a
worker that dies mid-task (Dask retries the task elsewhere, then gives up) and a cluster where no task finishes
within `stall` seconds are recorded the same way, as the tasks' errors, so a run always ends with one result per
task. Before the clock starts, every worker imports ape and the scenario code once (`warm`), so tasks per minute
measure the tasks, not the imports.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import ballast
from ballast.calibration.tasks import TaskResult, TaskSpec, failed, run_task
from ballast.errors import CalibrationError

CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler and see a worker
STALL_GRACE = 120.0  # seconds past a task's own deadline before the runner gives up on the cluster


@dataclass(frozen=True)
class RunStats:
    """How the run went: the tasks, the workers, where (`local` or the scheduler's address), the seconds to start
    the cluster and warm its workers, and the seconds from the first submission to the last result."""

    tasks: int
    workers: int
    cluster: str
    startup_seconds: float
    wall_seconds: float

    @property
    def tasks_per_minute(self) -> float:
        return self.tasks / self.wall_seconds * 60 if self.wall_seconds > 0 else 0.0


def warm() -> str:
    """Import what a task needs, once per worker process; returns the worker's ape version."""
    from importlib.metadata import version

    import ape  # noqa: F401

    import ballast.calibration.paths
    import ballast.scenarios.runner  # noqa: F401

    return version("eth-ape")


def _share_import_path() -> None:
    """Put the directory this `ballast` was imported from first on `sys.path`: local workers start with the
    client's `sys.path`, and must run the same code (`ape run` drops `PYTHONPATH` entries from it)."""
    root = str(Path(ballast.__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)


@contextmanager
def cluster(workers: int, scheduler: str | None) -> Iterator[tuple[object, str]]:
    """A connected Dask client and a name for its cluster: a new `LocalCluster` of `workers` processes (closed on
    exit, which ends its workers), or the scheduler at `scheduler` (left running)."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        if workers < 1:
            raise CalibrationError(f"--workers: {workers} is not a positive number of workers")
        _share_import_path()
        local = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # The scheduler serves its HTTP routes in any case: on a free port, never another cluster's 8787.
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
        try:
            with Client(local) as client:  # type: ignore[no-untyped-call]
                yield client, f"local, {workers} worker process{'es' if workers > 1 else ''}"
        finally:
            local.close()
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as err:
        raise CalibrationError(f"--scheduler: cannot reach the scheduler at {scheduler} ({err})") from None
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise CalibrationError(
                f"--scheduler: no worker joined {scheduler} within {CONNECT_TIMEOUT:.0f} s (start `dask worker`)"
            ) from None
        yield client, scheduler
    finally:
        client.close()  # type: ignore[no-untyped-call]


def run_tasks(
    specs: Sequence[TaskSpec],
    workers: int = 2,
    scheduler: str | None = None,
    console: Console | None = None,
    on_result: Callable[[list[TaskResult]], object] | None = None,
    stall: float | None = None,
) -> tuple[list[TaskResult], RunStats]:
    """Run every task on the cluster (module docstring); the results in the order of `specs`. `on_result(done)` is
    called after each result with the results so far (to keep partial output)."""
    from distributed import wait

    if not specs:
        raise CalibrationError("no tasks to run")
    console = console or Console()
    patience = stall if stall is not None else max(s.timeout for s in specs) + STALL_GRACE
    started = time.perf_counter()
    with cluster(workers, scheduler) as (client, where):
        count = len(client.scheduler_info()["workers"])  # type: ignore[attr-defined]
        try:
            client.run(warm)  # type: ignore[attr-defined]
        except Exception as err:  # a worker of another checkout, or without the package
            raise CalibrationError(
                f"a worker cannot load the simulator: {type(err).__name__}: {err}"
            ) from None
        startup = time.perf_counter() - started
        progress = Progress(
            TextColumn("[bold]monte carlo"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
        )
        results: dict[int, TaskResult] = {}
        clock = time.perf_counter()
        with progress:
            bar = progress.add_task("tasks", total=len(specs), note=f"{where}")
            futures = client.map(run_task, list(specs), pure=False)  # type: ignore[attr-defined]
            index = {f.key: i for i, f in enumerate(futures)}
            pending = set(futures)
            while pending:
                try:
                    done, pending = wait(  # type: ignore[no-untyped-call]
                        pending, timeout=patience, return_when="FIRST_COMPLETED"
                    )
                except TimeoutError:
                    for f in pending:
                        i = index[f.key]
                        results[i] = failed(specs[i], f"no task finished within {patience:.0f} s: cancelled")
                        f.cancel()
                    progress.update(bar, completed=len(results), note="stalled: cancelled")
                    break
                for f in done:
                    i = index[f.key]
                    try:
                        results[i] = f.result()
                    except Exception as err:  # the worker died: Dask gave the task up
                        results[i] = failed(specs[i], f"worker lost: {type(err).__name__}: {err}")
                    r = results[i]
                    note = f"{r.candidate} / {r.path} / seed {r.seed}: " + (
                        f"bad debt ${r.bad_debt:,.0f}" if r.ok else "[red]error[/red]"
                    )
                    progress.update(bar, advance=1, note=note)
                    if on_result is not None:
                        on_result([results[k] for k in sorted(results)])
        wall = time.perf_counter() - clock
    ordered = [results[i] for i in range(len(specs))]
    return ordered, RunStats(len(specs), count, where, startup, wall)
