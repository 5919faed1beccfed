"""The Monte Carlo's unit of work: one scenario run (a path and a seed) on one candidate parameter set, on a node of
its own.

`run_task(spec)` runs in a worker process (`ballast.calibration.runner`), from the repository's root (the compiled
project and `data/crashes/` are read from the working directory): it writes the candidate's config text to a
temporary file, starts a private anvil (`ballast.calibration.node.task_node`, killed when the task's time is up),
connects ape to it, deploys the system from that config (`deploy_scenario_system`), runs the scenario
(`ballast.scenarios.runner.run_scenario`) and returns a `TaskResult`: plain numbers, no ape objects. It never raises:
a failure (the config, the node, a transaction, the deadline) is returned as the result's `error`, one line, and the
node is stopped in every case.

The capital efficiency of a run is `ballast.riskdata.leverage.average_allowed_leverage` of the run's population under
the candidate's parameters: the mean notional per dollar of deposits the engine's initial-margin and stress rules
allow its traders.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ballast.calibration.jumps import JumpModel
from ballast.calibration.node import NodeTimeout, task_node

DEFAULT_TIMEOUT = 600.0  # seconds a task may take before its node is killed


@dataclass(frozen=True)
class TaskSpec:
    """One run: the candidate (its name and config text), the path (`gbm` or a catalog scenario), the seed, the
    traders, the blocks (None: the path's own), the leverage mode, the fitted models (for `gbm`) and the deadline."""

    candidate: str
    config_text: str
    path: str
    seed: int
    accounts: int
    blocks: int | None
    leverage: str
    models: tuple[JumpModel, ...]
    timeout: float = DEFAULT_TIMEOUT

    @property
    def label(self) -> str:
        return f"{self.candidate} / {self.path} / seed {self.seed}"


@dataclass(frozen=True)
class TaskResult:
    """What a run gives the summary (USD amounts); `error` is None when it ran to the end."""

    candidate: str
    path: str
    seed: int
    accounts: int
    liquidations: int
    bad_debt: float  # every deficit of the run
    insurance_covered: float
    lp_loss: float  # deficits socialized to LPs beyond the InsuranceFund
    liquidatable_at_end: int
    leverage: float  # average allowed leverage of the run's traders under the candidate's parameters
    notional: float  # the traders' notional when seeded
    passed: bool  # the scenario's own properties
    wall_seconds: float
    worker: str  # host:pid of the worker process
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def failed(spec: TaskSpec, error: str, wall_seconds: float = 0.0, worker: str = "") -> TaskResult:
    """The result of a task that did not run to the end."""
    return TaskResult(
        spec.candidate, spec.path, spec.seed, spec.accounts, 0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, False,
        wall_seconds, worker, error,
    )  # fmt: skip


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__


def run_task(spec: TaskSpec) -> TaskResult:
    """Run `spec` (module docstring); never raises."""
    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        with tempfile.TemporaryDirectory(prefix="ballast-mc-") as tmp:
            config_path = Path(tmp) / f"{spec.candidate}.yaml"
            config_path.write_text(spec.config_text, encoding="utf-8")
            return _run(spec, config_path, started, worker)
    except NodeTimeout:
        wall = time.perf_counter() - started
        return failed(spec, f"timed out after {spec.timeout:g} s (its node was stopped)", wall, worker)
    except Exception as err:  # a task's failure is a result, not a crash of the worker
        return failed(spec, _one_line(err), time.perf_counter() - started, worker)


def _run(spec: TaskSpec, config_path: Path, started: float, worker: str) -> TaskResult:
    # ape is imported here, in the worker: the process that plans the tasks needs none of it.
    from ape import accounts, chain, config, networks, project
    from rich.console import Console

    from ballast.calibration.paths import path_spec
    from ballast.config import load_config
    from ballast.riskdata.leverage import Terms, average_allowed_leverage
    from ballast.scenarios.catalog import settings_for
    from ballast.scenarios.population import deploy_scenario_system, quiet_ape
    from ballast.scenarios.runner import run_scenario

    candidate = load_config(config_path)
    scenario = path_spec(spec.path, spec.models)
    settings = settings_for(
        scenario, accounts=spec.accounts, seed=spec.seed, blocks=spec.blocks, leverage=spec.leverage
    )
    test = config.get_config("test")
    with task_node(test.mnemonic, test.hd_path, spec.timeout) as node:
        try:
            with quiet_ape(), networks.parse_network_choice(node.uri):
                system = deploy_scenario_system(project, chain, accounts, config_path)
                result, record = run_scenario(
                    project, chain, accounts, scenario, settings, Console(quiet=True), False, system
                )
        except Exception:
            if node.timed_out.is_set():
                raise NodeTimeout(f"stopped after {spec.timeout:g} s") from None
            raise
    o = result.outcome
    assert o is not None
    return TaskResult(
        candidate=spec.candidate,
        path=spec.path,
        seed=spec.seed,
        accounts=spec.accounts,
        liquidations=o.liquidations,
        bad_debt=float(o.deficits),
        insurance_covered=float(o.insurance_used),
        lp_loss=float(o.lp_loss),
        liquidatable_at_end=o.liquidatable_at_end,
        leverage=average_allowed_leverage(record.population, Terms.from_config(candidate)),
        notional=record.population.notional_usd,
        passed=result.passed,
        wall_seconds=time.perf_counter() - started,
        worker=worker,
    )
