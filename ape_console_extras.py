"""ape console extras of ballast: `ape console --network ...` loads deployments/<network>.json and exposes `pool`,
`engine`, `oracle`, `insurance`, `liquidator`, `timelock`, `onboarding`, `tokens`, `feeds` and the table helpers
`health(account)`, `positions(account)`, `prices()` (see ballast/console.py). Without a manifest it says how to
deploy, and loads."""

from typing import Any

from ballast.console import init_console


def ape_init_extras(chain: Any, project: Any) -> dict[str, Any]:
    return init_console(chain, project)
