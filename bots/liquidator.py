"""Silverback bot: the liquidation keeper (ballast/keepers/liquidation/) stepped on every new block.

    BALLAST_KEEPER_ENGINE=0x... silverback run liquidator --network ethereum:local:foundry --account TEST::4

Settings come from the environment (`BALLAST_KEEPER_*`, see `LiquidationBotSettings`; `BALLAST_KEEPER_GAS` is the
gas model as JSON); without an engine address the network's deployment manifest gives it. A transaction that fails
is logged and counted (`failed_transactions`); the bot goes on with the next block. A bad setting stops it at startup
with one line and exit code 1. The keeper keeps its cursor in its state file, so a restarted bot
resumes where it stopped.
"""

from ape import chain, project
from ape.api import BlockAPI
from silverback import StateSnapshot

from ballast.accounts import refuse_test_key_off_local
from ballast.cli import bot_startup, silverback_bot, stop_promptly
from ballast.keepers.liquidation import LiquidationBotSettings, keeper_for_bot

bot = silverback_bot()
stop_promptly(bot, "liquidation keeper")


@bot.on_startup()
@bot_startup
def start_keeper(startup_state: StateSnapshot) -> None:
    # Before anything is signed: a test key never runs a keeper off local networks.
    refuse_test_key_off_local(bot.signer, bot.provider.network, what="run the keeper", provider=bot.provider)
    bot.state.keeper = keeper_for_bot(project, bot.signer, LiquidationBotSettings())


@bot.on_(chain.blocks)
def liquidate_on_block(block: BlockAPI) -> dict[str, int]:
    report = bot.state.keeper.step(block.number)
    return {
        "liquidatable": len(report.liquidatable),
        "liquidated": len(report.liquidated),
        "deferred": len(report.deferred),
        "gas_committed": report.gas_committed,
        "failed_transactions": len(report.failed_transactions),
        "gas_retries": report.gas_retries,
    }
