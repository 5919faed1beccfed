"""Silverback bot: the risk keeper (ballast/keepers/risk/) stepped on a schedule, moving the deployment's risk
parameters toward data-driven proposals through the risk manager's bounded steps.

    silverback run risk --network ethereum:local:foundry --account TEST::6

The schedule is `BALLAST_RISK_CRON` (cron, UTC; every hour by default: the engine spaces tightening steps a day apart,
loosening and stress steps are not spaced). The other settings come from the environment (`BALLAST_RISK_*`, see
`RiskBotSettings`); without an engine address the network's deployment manifest gives it. A transaction that fails
is logged and counted (`failed_transactions`); the bot goes on at the next tick. A bad setting stops it at startup
with one line and exit code 1.
"""

import os
from datetime import datetime

from ape import chain, project
from silverback import StateSnapshot

from ballast.accounts import refuse_test_key_off_local
from ballast.cli import bot_startup, silverback_bot, stop_promptly
from ballast.keepers.risk import RiskBotSettings, risk_keeper_for_bot

bot = silverback_bot()
stop_promptly(bot, "risk keeper")
#: Read at import: silverback registers a schedule with its task.
SCHEDULE = os.environ.get("BALLAST_RISK_CRON", RiskBotSettings.model_fields["cron"].default)


@bot.on_startup()
@bot_startup
def start_keeper(startup_state: StateSnapshot) -> None:
    # Before anything is signed: a test key never runs a keeper off local networks.
    refuse_test_key_off_local(bot.signer, bot.provider.network, what="run the keeper", provider=bot.provider)
    bot.state.keeper = risk_keeper_for_bot(project, chain, bot.signer, RiskBotSettings())


@bot.cron(SCHEDULE)
def step_on_schedule(time: datetime) -> dict[str, int]:
    report = bot.state.keeper.step()
    return {
        "proposals": len(report.proposals),
        "planned": len(report.planned),
        "sent": len(report.sent),
        "tightenings_held": len(report.held),
        "failed_transactions": len(report.failed),
    }
