"""ape console extras of ballast: `ape console --network ...` loads deployments/<network>.json and exposes `pool`,
`engine`, `oracle`, `insurance`, `liquidator`, `timelock`, `onboarding`, `tokens`, `feeds`, the table helpers
`health(account)`, `positions(account)`, `prices()`, `why_unhealthy(account)` and the trading helpers in token units
(`lp_deposit`, `fund`, `quote`, `open_position`, `close`, `set_price`; see ballast/console.py and
docs/walkthrough.md). A failed transaction or call prints one line naming its error; `traces(True)` brings back ape's
call traces. Without a manifest it says how to deploy, and loads."""

from typing import Any

from ballast.console import init_console


def ape_init_extras(chain: Any, project: Any) -> dict[str, Any]:
    return init_console(chain, project, install_hooks=True)
