"""Silverback bot: the expiry keeper (ballast/keepers/expiry/) stepped on every new block, settling each expired
options series as soon as its settlement price is final.

    silverback run expiry --network ethereum:local:foundry --account TEST::4

Settings come from the environment (`BALLAST_EXPIRY_*`, see `ExpiryBotSettings`; `BALLAST_EXPIRY_GAS` is the gas model
as JSON); without a book address the network's deployment manifest gives it. A bad setting stops it at startup with
one line and exit code 1.
"""

from ape import chain, project
from ape.api import BlockAPI
from silverback import StateSnapshot

from ballast.accounts import refuse_test_key_off_local
from ballast.cli import bot_startup, silverback_bot, stop_promptly
from ballast.keepers.expiry import ExpiryBotSettings, expiry_keeper_for_bot

bot = silverback_bot()
stop_promptly(bot, "expiry keeper")


@bot.on_startup()
@bot_startup
def start_keeper(startup_state: StateSnapshot) -> None:
    # Before anything is signed: a test key never runs a keeper off local networks.
    refuse_test_key_off_local(bot.signer, bot.provider.network, what="run the keeper", provider=bot.provider)
    bot.state.keeper = expiry_keeper_for_bot(project, chain, bot.signer, ExpiryBotSettings())


@bot.on_(chain.blocks)
def settle_on_block(block: BlockAPI) -> dict[str, int]:
    report = bot.state.keeper.step()
    return {
        "settled": len(report.settled),
        "settled_fallback": sum(not s["atExpiry"] for s in report.settled),
        "waiting": len(report.waiting),
        "failed_transactions": len(report.failed),
    }
