"""The risk keeper's state file: when it last tightened each subject (the engine spaces tightening steps a day apart
and has no view of it) and the last step it sent to each, for the operator. A lost state file costs at most a
refused transaction: the keeper asks the engine (`RiskStepTooSoon`) before it tightens."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from ballast.errors import KeeperStateError
from ballast.keepers.common import read_state_file, write_json_atomic

STATE_VERSION = 1


@dataclass
class RiskState:
    chain_id: int
    engine: str
    last_tightened: dict[str, int] = field(default_factory=dict)  # subject -> block timestamp
    last_step: dict[str, dict[str, Any]] = field(default_factory=dict)  # subject -> block, tx, changes

    @classmethod
    def load(cls, path: Path | None, chain_id: int, engine: str) -> RiskState:
        """The state at `path`, or a fresh one; KeeperStateError for a file of another chain or engine."""
        what = "risk keeper state"
        data = read_state_file(path, what, "engine", chain_id, engine, STATE_VERSION)
        if data is None:
            return cls(chain_id, to_checksum_address(engine))
        try:
            return cls(
                chain_id,
                to_checksum_address(engine),
                {str(k): int(v) for k, v in data["last_tightened"].items()},
                {str(k): dict(v) for k, v in data["last_step"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise KeeperStateError(f"cannot read {what} {path}: {err}") from None

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        write_json_atomic(
            path,
            {
                "version": STATE_VERSION,
                "chain_id": self.chain_id,
                "engine": self.engine,
                "last_tightened": dict(sorted(self.last_tightened.items())),
                "last_step": dict(sorted(self.last_step.items())),
            },
        )
