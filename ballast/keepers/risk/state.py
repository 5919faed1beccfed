"""The risk keeper's state file: when it last tightened each subject (the engine spaces tightening steps a day apart
and has no view of it) and the last step it sent to each, for the operator. A lost state file costs at most a
refused transaction: the keeper asks the engine (`RiskStepTooSoon`) before it tightens."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from ballast.errors import KeeperStateError
from ballast.keepers.common import write_json_atomic

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
        if path is None or not path.exists():
            return cls(chain_id, to_checksum_address(engine))
        try:
            data = json.loads(path.read_text())
            state = cls(
                int(data["chain_id"]),
                to_checksum_address(data["engine"]),
                {str(k): int(v) for k, v in data["last_tightened"].items()},
                {str(k): dict(v) for k, v in data["last_step"].items()},
            )
            version = int(data.get("version", 0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise KeeperStateError(f"cannot read risk keeper state {path}: {err}") from None
        if version != STATE_VERSION:
            raise KeeperStateError(f"risk keeper state {path} has version {version}, not {STATE_VERSION}")
        if (state.chain_id, state.engine) != (chain_id, to_checksum_address(engine)):
            raise KeeperStateError(
                f"risk keeper state {path} belongs to engine {state.engine} on chain {state.chain_id}, "
                f"not {engine} on chain {chain_id}"
            )
        return state

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
