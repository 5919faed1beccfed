"""Oracle faults injected per source and per block.

- `manipulate`: one source answers `factor` x the path price (1.5 or 0.5) from `start` to `end` (exclusive);
- `stale`: one source stops updating; its last round is stamped older than the heartbeat, so the oracle drops it;
- `revert`: one source reverts (`setReverting`);
- `quorum_loss`: all but one source revert (fewer fresh answers than the quorum: the asset turns Stale);
- `spike`: every source answers `factor` x the path price for one block;
- `freeze`: the guardian freezes the asset at `start` and unfreezes it at `end`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["manipulate", "stale", "revert", "quorum_loss", "spike", "freeze"]


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    symbol: str
    start: int  # first simulated block
    end: int  # first block without the fault
    source: int = 0  # for manipulate, stale, revert
    factor: float = 1.0  # for manipulate and spike

    def active(self, block: int) -> bool:
        return self.start <= block < self.end

    def describe(self) -> str:
        what = {
            "manipulate": f"source #{self.source + 1} answers x{self.factor:g}",
            "stale": f"source #{self.source + 1} stops updating",
            "revert": f"source #{self.source + 1} reverts",
            "quorum_loss": "all sources but one revert (quorum lost)",
            "spike": f"every source answers x{self.factor:g} for one block",
            "freeze": "guardian freezes the asset",
        }[self.kind]
        return f"{self.symbol}: {what} (blocks {self.start}..{self.end - 1})"


@dataclass(frozen=True)
class SourceState:
    """What a source does in one block: its answer factor, whether it updates, whether it reverts."""

    factor: float = 1.0
    updates: bool = True
    reverting: bool = False


def source_states(faults: list[Fault], symbol: str, sources: int, block: int) -> list[SourceState]:
    states = [SourceState() for _ in range(sources)]
    for f in faults:
        if f.symbol != symbol or not f.active(block):
            continue
        if f.kind == "manipulate":
            states[f.source] = SourceState(factor=f.factor)
        elif f.kind == "stale":
            states[f.source] = SourceState(updates=False)
        elif f.kind == "revert":
            states[f.source] = SourceState(reverting=True)
        elif f.kind == "quorum_loss":
            for i in range(1, sources):
                states[i] = SourceState(reverting=True)
        elif f.kind == "spike":
            states = [SourceState(factor=f.factor) for _ in range(sources)]
    return states


def frozen(faults: list[Fault], symbol: str, block: int) -> bool:
    return any(f.kind == "freeze" and f.symbol == symbol and f.active(block) for f in faults)
