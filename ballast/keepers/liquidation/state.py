"""The liquidation keeper's state file: the last block whose logs were scanned and every account seen so far, so a
restart resumes without missing an account."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import to_checksum_address

from ballast.errors import KeeperStateError
from ballast.keepers.common import write_json_atomic

STATE_VERSION = 1


@dataclass
class KeeperState:
    """What survives a restart: the last block whose logs were scanned and every account seen so far."""

    chain_id: int
    engine: str
    last_block: int
    accounts: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path, chain_id: int, engine: str, start_block: int) -> KeeperState:
        """The state at `path`, or a fresh one that scans from `start_block` if there is no file."""
        if not path.exists():
            return cls(chain_id, engine, start_block - 1)
        try:
            data = json.loads(path.read_text())
            state = cls(
                int(data["chain_id"]),
                to_checksum_address(data["engine"]),
                int(data["last_block"]),
                {to_checksum_address(a) for a in data["accounts"]},
            )
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise KeeperStateError(f"cannot read keeper state {path}: {err}") from err
        if int(data.get("version", 0)) != STATE_VERSION:
            raise KeeperStateError(
                f"keeper state {path} has version {data.get('version')}, not {STATE_VERSION}"
            )
        if (state.chain_id, state.engine) != (chain_id, engine):
            raise KeeperStateError(
                f"keeper state {path} belongs to engine {state.engine} on chain {state.chain_id}, "
                f"not {engine} on chain {chain_id}"
            )
        return state

    def save(self, path: Path) -> None:
        write_json_atomic(
            path,
            {
                "version": STATE_VERSION,
                "chain_id": self.chain_id,
                "engine": self.engine,
                "last_block": self.last_block,
                "accounts": sorted(self.accounts),
            },
        )
