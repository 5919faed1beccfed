"""Where the bench reads and writes: the snapshot of the gas guard and the generated results."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "bench"
SNAPSHOT_FILE = BENCH_DIR / "gas-snapshot.json"
RESULTS_MD = BENCH_DIR / "results.md"
RESULTS_JSON = BENCH_DIR / "results.json"


def rel(path: Path, root: Path = ROOT) -> str:
    """`path` relative to the repository when it is inside it (for messages)."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
