"""The expiry keeper's state file: the series it settled (price, whether at expiry, the transaction), for the
operator; the book's `liveSeries` is what the keeper works from, so a lost state file loses no settlement."""

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
class ExpiryState:
    chain_id: int
    book: str
    settled: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None, chain_id: int, book: str) -> ExpiryState:
        """The state at `path`, or a fresh one; KeeperStateError for a file of another chain or book."""
        if path is None or not path.exists():
            return cls(chain_id, book)
        try:
            data = json.loads(path.read_text())
            state = cls(
                int(data["chain_id"]),
                to_checksum_address(data["book"]),
                {int(k): dict(v) for k, v in data["settled"].items()},
            )
            version = int(data.get("version", 0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise KeeperStateError(f"cannot read expiry keeper state {path}: {err}") from None
        if version != STATE_VERSION:
            raise KeeperStateError(f"expiry keeper state {path} has version {version}, not {STATE_VERSION}")
        if (state.chain_id, state.book) != (chain_id, to_checksum_address(book)):
            raise KeeperStateError(
                f"expiry keeper state {path} belongs to book {state.book} on chain {state.chain_id}, "
                f"not {book} on chain {chain_id}"
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
                "book": self.book,
                "settled": {str(k): v for k, v in sorted(self.settled.items())},
            },
        )
