"""What a Monte Carlo runs: the grids (`small` for CI, `full` for the documented calibration), the command's
options that override them, and the tasks (every candidate x path x seed).

Each task of a plan runs one path with one seed on one candidate; every candidate meets the same paths and seeds,
so the sets differ only in their parameters (and in what the traders open under them, at `max` leverage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import product

from ballast.calibration.candidates import CURRENT, PROPOSED, Candidate, parse_names
from ballast.calibration.jumps import JumpModel
from ballast.calibration.paths import CRASHES, GBM, REPLAYS
from ballast.calibration.tasks import DEFAULT_TIMEOUT, TaskSpec
from ballast.errors import CalibrationError
from ballast.scenarios.catalog import SCENARIOS
from ballast.scenarios.population import LEVERAGE_MODES


@dataclass(frozen=True)
class Grid:
    """The dimensions of a Monte Carlo: parameter sets, paths, seeds, traders per run, blocks (None: each path's
    own), the traders' leverage mode."""

    candidates: tuple[str, ...]
    paths: tuple[str, ...]
    seeds: tuple[int, ...]
    accounts: int
    blocks: int | None
    leverage: str = "max"

    @property
    def size(self) -> int:
        return len(self.candidates) * len(self.paths) * len(self.seeds)

    def describe(self) -> str:
        """`2 sets x 2 paths x 1 seed = 4 runs`."""

        def count(n: int, what: str) -> str:
            return f"{n} {what}{'' if n == 1 else 's'}"

        return (
            f"{count(len(self.candidates), 'set')} x {count(len(self.paths), 'path')} x "
            f"{count(len(self.seeds), 'seed')} = {count(self.size, 'run')}"
        )


#: CI's grid: two sets, a replay and the fitted GBM, one seed, a few traders and blocks (under two minutes on two
#: workers).
SMALL = Grid(("current", "c0.8-m0.85"), ("eth_2021-05-19", GBM), (1,), accounts=12, blocks=12)
#: The documented calibration: the current set, the data's proposal and eight scalings, over the crash replays, the
#: two parametric crashes of the catalog and the fitted GBM, three seeds, 100 traders (as the InsuranceFund's sizing),
#: each path's own length.
FULL = Grid(
    (
        CURRENT,
        PROPOSED,
        *(
            f"c{c}-m{m}"
            for c, m in product(("0.8", "1", "1.25"), ("0.85", "1", "1.25"))
            if (c, m) != ("1", "1")
        ),
    ),
    (*REPLAYS, *CRASHES, GBM),
    (1, 2, 3),
    accounts=100,
    blocks=None,
)
GRIDS: dict[str, Grid] = {"small": SMALL, "full": FULL}


def parse_paths(text: str) -> tuple[str, ...]:
    """`--paths`: comma-separated `gbm`, `replays` (the catalog's crash replays), `crashes` (its parametric
    crashes) or catalog scenario names."""
    out: list[str] = []
    for item in (x.strip() for x in text.split(",") if x.strip()):
        names = {"replays": REPLAYS, "crashes": CRASHES}.get(item, (item,))
        for name in names:
            if name != GBM and name not in SCENARIOS:
                raise CalibrationError(
                    f"--paths: {name!r} is not a path (gbm, replays, crashes, or a scenario of `ape run scenario list`)"
                )
            if name not in out:
                out.append(name)
    if not out:
        raise CalibrationError("--paths: give at least one path")
    return tuple(out)


def parse_seeds(text: str) -> tuple[int, ...]:
    """`--seeds`: comma-separated non-negative integers."""
    seeds = []
    for item in (x.strip() for x in text.split(",") if x.strip()):
        if not item.isdigit():
            raise CalibrationError(f"--seeds: {item!r} is not a non-negative integer")
        seeds.append(int(item))
    if not seeds:
        raise CalibrationError("--seeds: give at least one seed")
    return tuple(dict.fromkeys(seeds))


def grid_with(
    base: Grid,
    candidates: str | None = None,
    paths: str | None = None,
    seeds: str | None = None,
    accounts: int | None = None,
    blocks: int | None = None,
    leverage: str | None = None,
) -> Grid:
    """`base` with the options that were given."""
    if leverage is not None and leverage not in LEVERAGE_MODES:
        raise CalibrationError(f"--leverage: {leverage!r} is not one of {', '.join(LEVERAGE_MODES)}")
    if accounts is not None and accounts < 1:
        raise CalibrationError(f"--accounts: {accounts} is not a positive number of traders")
    return replace(
        base,
        candidates=tuple(parse_names(candidates)) if candidates is not None else base.candidates,
        paths=parse_paths(paths) if paths is not None else base.paths,
        seeds=parse_seeds(seeds) if seeds is not None else base.seeds,
        accounts=accounts if accounts is not None else base.accounts,
        blocks=blocks if blocks is not None else base.blocks,
        leverage=leverage if leverage is not None else base.leverage,
    )


def tasks(
    grid: Grid,
    candidates: Sequence[Candidate],
    models: tuple[JumpModel, ...],
    timeout: float = DEFAULT_TIMEOUT,
) -> list[TaskSpec]:
    """One task per candidate x path x seed, in that order."""
    return [
        TaskSpec(
            candidate=c.name,
            config_text=c.text,
            path=path,
            seed=seed,
            accounts=grid.accounts,
            blocks=grid.blocks,
            leverage=grid.leverage,
            models=models if path == GBM else (),
            timeout=timeout,
        )
        for c, path, seed in product(candidates, grid.paths, grid.seeds)
    ]
