"""Gas benchmarks (`make bench`, `ape run bench`) and the gas guard (`make gas-check`, `make gas-snapshot`).

One module per role (docs/benchmarks.md explains the method):

- `harness`: runs forge's gas harness (`tests/forge/*Gas*.t.sol`) and parses its `bench:` lines into `Measurement`s;
- `operations`: the rows of the table (label, basis, comparable anchors, absolute target); `anchors`: the other
  protocols' operations the harness measures beside ballast's (`tests/forge/gas/AnchorGas.t.sol`), the leanest
  comparable one per row, its 1.25x target, and how the anchors were built;
  `notes`: why a missed target is missed;
- `fits`: liquidateMany as a line (liquidations per transaction and per block) and the scaling grids' plane fits;
- `results`: `build_report`, the figures of one run, with the throughput section chain-side sources fill in;
- `report`: the writers of bench/results.md and bench/results.json;
- `guard`: bench/gas-snapshot.json and the comparison of `make gas-check`; `cli`: its commands;
- chain side, on a local anvil: `throughput` (the sources `ape run bench` plugs in), `driver` (the scenario driver
  against naive ape calls), `receipts` (`ape run bench_receipts`, the anvil cross-check of the forge figures).
"""

from ballast.bench.anchors import Anchor, AnchorBuild, anchor_builds
from ballast.bench.fits import PER_TX_CAP, Batch, PlaneFit, fit_plane
from ballast.bench.guard import (
    TOLERANCE,
    Comparison,
    compare,
    comparison_lines,
    load_snapshot,
    write_snapshot,
)
from ballast.bench.harness import Measurement, parse_forge_json, run_forge
from ballast.bench.report import markdown, print_report, results_json, throughput_lines, write_results
from ballast.bench.results import (
    Report,
    ThroughputSource,
    build_report,
    driver_vs_naive_entry,
    reaction_entry,
)
from ballast.errors import BenchError

__all__ = [
    "PER_TX_CAP",
    "TOLERANCE",
    "Anchor",
    "AnchorBuild",
    "Batch",
    "BenchError",
    "Comparison",
    "Measurement",
    "PlaneFit",
    "Report",
    "ThroughputSource",
    "anchor_builds",
    "build_report",
    "compare",
    "comparison_lines",
    "driver_vs_naive_entry",
    "fit_plane",
    "load_snapshot",
    "markdown",
    "parse_forge_json",
    "print_report",
    "reaction_entry",
    "results_json",
    "run_forge",
    "throughput_lines",
    "write_results",
    "write_snapshot",
]
