"""Discovery: the liquidation keeper follows the engine's, the Liquidator's and the oracle's logs from its cursor, in
chunks, and marks what they changed (an account's books, an asset's price, the risk parameters) for the next
refresh. The cursor and the accounts seen are saved to the state file after each chunk."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ape.contracts import ContractInstance
from eth_utils import keccak, to_checksum_address

from ballast.keepers.liquidation.state import KeeperState
from ballast.keepers.sending import Retry

#: Engine events that change an account's books; the account is their first indexed argument.
ACCOUNT_EVENTS = (
    "CollateralDeposited",
    "CollateralWithdrawn",
    "CashChanged",
    "PositionModified",
    "CollateralSeized",
    "DebtWrittenOff",
    "AutoDeleveraged",
    "ProductTraded",
    "ProductLiquidated",
)
#: Engine events that change the risk parameters.
PARAMS_EVENTS = (
    "CollateralListed",
    "CollateralParamsSet",
    "MarketListed",
    "MarketParamsSet",
    "MarginProductListed",
)
#: Liquidator events that change what a liquidation charges.
LIQUIDATOR_EVENTS = ("ParamsSet",)
#: Oracle events that change an asset's stored price, status or freshness bound; the asset is indexed first.
PRICE_EVENTS = ("PriceUpdated", "FreezeSet", "AssetConfigured", "WoundDown")


@dataclass
class Pending:
    """What changed since the keeper last re-read the chain: accounts whose books changed, assets whose price or
    status changed (and those reconfigured, whose freshness bound may be new), and whether the risk parameters
    changed."""

    accounts: set[str] = field(default_factory=set)
    assets: set[str] = field(default_factory=set)
    reconfigured: set[str] = field(default_factory=set)
    params: bool = True


def event_topics(
    engine: ContractInstance, liquidator: ContractInstance, oracle: ContractInstance
) -> dict[str, tuple[str, str]]:
    """topic0 -> (kind, name) of every event the keeper follows; kind is `account`, `params` or `price`."""
    topics = {}
    for contract, names, kind in (
        (engine, ACCOUNT_EVENTS, "account"),
        (engine, PARAMS_EVENTS, "params"),
        (liquidator, LIQUIDATOR_EVENTS, "params"),
        (oracle, PRICE_EVENTS, "price"),
    ):
        for name in names:
            abi = getattr(contract, name).abi
            topics["0x" + keccak(text=abi.selector).hex()] = (kind, name)
    return topics


class LogScanner:
    """Follows the logs of `engine`, `liquidator` and `oracle` from `state`'s cursor."""

    def __init__(
        self,
        engine: ContractInstance,
        liquidator: ContractInstance,
        oracle: ContractInstance,
        state: KeeperState,
        state_path: Path,
        retry_call: Retry,
        *,
        chunk_blocks: int,
        reorg_depth: int,
    ) -> None:
        self.addresses = [str(c.address) for c in (engine, liquidator, oracle)]
        self.topics = event_topics(engine, liquidator, oracle)
        self.provider = engine.provider
        self.state, self.state_path = state, state_path
        self.retry_call = retry_call
        self.chunk_blocks, self.reorg_depth = chunk_blocks, reorg_depth

    def scan(self, head: int, pending: Pending) -> list[str]:
        """Read the logs from the cursor to `head` into `pending`; returns the accounts seen for the first time."""
        discovered: list[str] = []
        start = max(0, self.state.last_block + 1 - self.reorg_depth)
        while start <= head:
            stop = min(head, start + self.chunk_blocks - 1)
            query = {
                "address": self.addresses,
                "fromBlock": hex(start),
                "toBlock": hex(stop),
                "topics": [list(self.topics)],
            }
            logs = self.retry_call("eth_getLogs", partial(self.provider.make_request, "eth_getLogs", [query]))
            for entry in logs:
                self._read(entry, pending, discovered)
            self.state.last_block = stop
            self.state.save(self.state_path)
            start = stop + 1
        return discovered

    def _read(self, entry: dict[str, Any], pending: Pending, discovered: list[str]) -> None:
        topics = [t if isinstance(t, str) else "0x" + bytes(t).hex() for t in entry["topics"]]
        kind, name = self.topics[topics[0]]
        if kind == "params":
            pending.params = True
            return
        subject = to_checksum_address("0x" + topics[1][-40:])
        if kind == "price":
            pending.assets.add(subject)
            if name == "AssetConfigured":
                pending.reconfigured.add(subject)
            return
        pending.accounts.add(subject)
        if subject not in self.state.accounts:
            self.state.accounts.add(subject)
            discovered.append(subject)
