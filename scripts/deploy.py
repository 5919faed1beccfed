"""`ape run deploy`: deploy ballast from a config, or verify the deployment already recorded in
deployments/<network>.json (see ballast/deploy.py)."""

from pathlib import Path

import click
from ape.cli import account_option, ape_cli_context, network_option
from ape.exceptions import ApeException

from ballast.accounts import enable_autosign, is_local_network
from ballast.cli import NodeCommand
from ballast.deploy import DeployContext, check_deployer, print_outcome, run_deploy
from ballast.manifest import DEPLOYMENTS_ENV


@click.command(cls=NodeCommand, short_help="Deploy ballast from a config; verify it on a re-run")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("config/local.yaml"),
    show_default=True,
    help="Deployment config (YAML)",
)
@account_option(prompt=False)
@click.option(
    "--deployments",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=DEPLOYMENTS_ENV,
    default=None,
    help=f"Directory of the manifests (default: deployments/, or ${DEPLOYMENTS_ENV})",
)
def cli(cli_ctx, network, config_path, account, deployments) -> None:  # noqa: ANN001 - click passes ape's objects
    is_local = is_local_network(cli_ctx.network_manager.network, cli_ctx.provider)
    if account is None:
        if not is_local:
            cli_ctx.abort("--account is required off local networks (an alias from `ape accounts list`)")
        account = cli_ctx.account_manager.test_accounts[0]
    ctx = DeployContext(
        project=cli_ctx.local_project,
        chain=cli_ctx.chain_manager,
        accounts=cli_ctx.account_manager,
        deployer=account,
        config_manager=cli_ctx.config_manager,
    )
    try:
        if not is_local:
            check_deployer(ctx)  # before asking for a passphrase
            enable_autosign(account)
        outcome = run_deploy(ctx, config_path, deployments)
    except ApeException as err:  # a transaction or the node failed: say so in one line
        raise click.ClickException(f"deployment stopped: {type(err).__name__}: {err}") from None
    print_outcome(outcome, ctx.console)
