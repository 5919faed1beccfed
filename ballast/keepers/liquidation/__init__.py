"""The liquidation keeper (docs/design.md#liquidation-and-the-loss-waterfall): finds every engine account from the
engine's events, keeps their health current with `ballast.risk`, and liquidates the unhealthy ones through
`Liquidator.liquidateMany`, largest shortfall first, within a gas budget per block.

`LiquidationKeeper.step()` processes one block:

1. scan the engine's and the oracle's logs since the cursor (in chunks, saving the cursor and the known accounts to
   the state file after each chunk, so a restart resumes without missing an account);
2. re-read, in two batched round trips at that block, the borrow index, the prices that changed and the books of
   the accounts whose events changed them; recompute the health of the accounts whose inputs changed;
3. refresh (`oracle.update`) the prices a liquidation needs that are stale, or would be by the time a transaction
   lands, then re-read them;
4. send the liquidatable accounts, ranked by shortfall, in batches that fit the block's gas budget (estimated per
   account from its books, checked against the node's estimate); the rest waits for the next block;
5. for what it could not liquidate (`ballast.keepers.liveness`): record the provision of underwater accounts left
   for a later block, and propose or execute the wind-down of a held asset Stale long enough (every step).

Every transaction gets its gas limit from the one gas model (`ballast.keepers.gas`) and goes out through
`ballast.keepers.sending`: one that reverts or runs out of gas (retried once with a larger limit first) is logged,
counted in the step's report, and the keeper carries on with the next transaction and the next block.

A batch that finds an account healthy again (someone else liquidated it, or the price moved back) skips it: the
keeper counts that race as done. `run()` polls for new blocks and steps, retrying RPC failures with exponential
backoff, until Ctrl-C.

The modules: `keeper` (the loop), `events` (discovery from the logs), `batches` (sending a batch and reading its
receipt), `report` (what a step did), `state` (the state file), `settings` (the command's and the bot's settings),
`wiring` (the contracts of a deployment, and a keeper built for a command or a bot).
"""

from ballast.errors import KeeperError, KeeperStateError
from ballast.keepers.liquidation.keeper import LiquidationKeeper
from ballast.keepers.liquidation.report import StepReport
from ballast.keepers.liquidation.settings import LOGGER_NAME, LiquidationBotSettings, LiquidationKeeperConfig
from ballast.keepers.liquidation.state import KeeperState
from ballast.keepers.liquidation.wiring import (
    KeeperContracts,
    build_keeper,
    connect_contracts,
    default_state_path,
    keeper_for_bot,
)

__all__ = [
    "LOGGER_NAME",
    "KeeperContracts",
    "KeeperError",
    "KeeperState",
    "KeeperStateError",
    "LiquidationBotSettings",
    "LiquidationKeeper",
    "LiquidationKeeperConfig",
    "StepReport",
    "build_keeper",
    "connect_contracts",
    "default_state_path",
    "keeper_for_bot",
]
