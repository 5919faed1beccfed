"""The expiry keeper's state file: the series it settled (price, whether at expiry, the transaction), for the
operator; the book's `liveSeries` is what the keeper works from, so a lost state file loses no settlement."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from ballast.errors import KeeperStateError
from ballast.keepers.common import read_state_file, write_json_atomic

STATE_VERSION = 1


@dataclass
class ExpiryState:
    chain_id: int
    book: str
    settled: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None, chain_id: int, book: str) -> ExpiryState:
        """The state at `path`, or a fresh one; KeeperStateError for a file of another chain or book."""
        what = "expiry keeper state"
        data = read_state_file(path, what, "book", chain_id, book, STATE_VERSION)
        if data is None:
            return cls(chain_id, book)
        try:
            return cls(
                chain_id, to_checksum_address(book), {int(k): dict(v) for k, v in data["settled"].items()}
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
                "book": self.book,
                "settled": {str(k): v for k, v in sorted(self.settled.items())},
            },
        )
