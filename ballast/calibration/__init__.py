"""The Monte Carlo calibration of the risk parameters (docs/calibration.md): the scenario simulator run over
parameter sets, price paths and seeds on a Dask cluster, each run on a node of its own; per set the tails of its
losses and the leverage it allows; the set that meets a loss target with the most leverage.

| module | role |
| --- | --- |
| `jumps.py` | a Merton jump-diffusion fitted to a price history (threshold separation of returns) |
| `paths.py` | the paths: the catalog's replays and crashes, and `gbm` from the fitted models |
| `candidates.py` | parameter sets: scalings of the base config and the data's proposal, each a validated file |
| `plan.py` | the grids (`small`, `full`), the options over them, the tasks |
| `node.py` | a task's private anvil, with a watchdog and the parent-death signal |
| `tasks.py` | the unit of work: deploy a set, run one path and seed, return plain numbers |
| `runner.py` | the Dask orchestration (a local cluster, or a scheduler) with a progress bar |
| `summary.py` | per-set percentiles, the loss target, the recommendation, the frontier |
| `plots.py` | the frontier plot |
| `report.py` | tables and files (`runs.csv`, `sets.csv`, `summary.md`) |
| `command.py` | `ape run calibrate monte-carlo` end to end (`scripts/calibrate.py` is the click script) |
"""
