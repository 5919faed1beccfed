"""A keeper's rewards: the Liquidator credits them to the keeper's own MarginEngine account (settlement credit, or the
collateral they were paid in), so no token moves inside a liquidation; the keeper withdraws them when it likes with
the engine's `withdraw` (docs/design.md#liquidation-and-the-loss-waterfall)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ape.exceptions import ApeException
from eth_utils import to_checksum_address

from ballast.errors import KeeperError
from ballast.keepers.sending import describe


@dataclass(frozen=True)
class Holding:
    """What `account` holds in the engine of one asset: `credit` for the settlement asset, else collateral."""

    asset: str
    symbol: str
    decimals: int
    amount: int
    credit: bool

    @property
    def tokens(self) -> float:
        return self.amount / float(10**self.decimals)


def holdings_of(engine: Any, account: str, token_at: Callable[[str], Any]) -> list[Holding]:
    """Every asset `account` holds in `engine`, settlement credit first; `token_at(address)` gives an ERC20 with
    `symbol()` and `decimals()`. A node error raises `KeeperError` with one line."""
    try:
        settlement = to_checksum_address(engine.settlementAsset())
        credit = int(engine.cash(account)[0])
        held = [(settlement, credit, True)]
        for asset in engine.collateralAssets():
            amount = int(engine.collateralBalance(account, asset))
            if amount:
                held.append((to_checksum_address(asset), amount, False))
        out = []
        for asset, amount, is_credit in held:
            token = token_at(asset)
            out.append(Holding(asset, str(token.symbol()), int(token.decimals()), amount, is_credit))
    except ApeException as err:
        raise KeeperError(f"could not read {account}'s engine account: {describe(err)}") from None
    return out


def withdraw_all(engine: Any, sender: Any, holdings: list[Holding], to: str) -> list[tuple[Holding, str]]:
    """Withdraw every non-zero holding of `sender`'s engine account to `to`; returns each withdrawal with its
    transaction hash. Credit is withdrawn exactly (never beyond it: that would borrow). A refused withdrawal (say,
    the keeper's own positions need the collateral) raises `KeeperError` with one line, after the ones that went."""
    sent: list[tuple[Holding, str]] = []
    for h in holdings:
        if h.amount == 0:
            continue
        try:
            receipt = engine.withdraw(h.asset, h.amount, to, sender=sender)
        except ApeException as err:
            done = ", ".join(f"{x.symbol}" for x, _ in sent) or "nothing"
            raise KeeperError(
                f"withdrawing {h.tokens:,.6f} {h.symbol} failed ({describe(err)}); withdrawn before it: {done}"
            ) from None
        sent.append((h, str(receipt.txn_hash)))
    return sent
