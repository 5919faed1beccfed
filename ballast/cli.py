"""How every command of the project fails: a `BallastError` (a user mistake, a missing manifest, a keeper's settings)
or a node that cannot be reached prints one line, `Error: <what>`, on stderr and exits 1; anything else is a bug and
keeps its traceback.

- `ape run` scripts use `BallastCommand` in place of ape's `ConnectedProviderCommand`: it connects to the network
  the same way, and turns a connection failure and a `BallastError` into that line.
- Plain click commands (`python -m ballast.bench`, `python -m ballast.analysis`) wrap their body in `user_errors`.
- Silverback bots wrap their startup handlers in `bot_startup`, build their bot with `silverback_bot` (a node that
  cannot be reached is one line too) and stop at once on SIGINT and SIGTERM (`stop_promptly`).

Before connecting, a command checks what it can without the network: a public network without a configured URI is
one line naming the setting to add (ape would otherwise try a list of public RPCs, ten times), and the project's
local node (`make node`, `ethereum:local:foundry`) must be listening (`NodeCommand`).
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any, NoReturn, ParamSpec, TypeVar
from urllib.parse import urlparse

import click
from ape.cli import ConnectedProviderCommand
from ape.cli.commands import parse_network
from ape.exceptions import ApeException
from requests.exceptions import ConnectionError as RequestsConnectionError

from ballast.errors import BallastError, NodeError

P = ParamSpec("P")
R = TypeVar("R")


def one_line(error: BaseException) -> str:
    """What a person reads of `error`: its message (a `ConfigError` keeps one line per bad field), else its type."""
    text = str(error).strip()
    return text or type(error).__name__


#: Where the project's local node listens: `make node` keeps an anvil there, and the `ethereum:local:foundry` commands
#: that work on a deployment (deploy, the keepers) connect to it instead of starting a throwaway anvil of their own.
NODE_URI = "http://127.0.0.1:8545"
#: Overrides `NODE_URI` (`make node NODE_PORT=...` sets it for the commands make runs).
NODE_URI_ENV = "BALLAST_NODE_URI"
#: ape-foundry's setting of the anvil to connect to (over `foundry: host` in ape-config.yaml).
FOUNDRY_HOST_ENV = "APE_FOUNDRY_HOST"
#: What the project's local network is called on the command line.
LOCAL_CHOICE = "ethereum:local"
#: The environment variable ape reads as a node's URI when none is configured.
URI_ENV = "WEB3_PROVIDER_URI"


def node_down(network: str | None, error: BaseException, uri: str | None = None) -> NodeError:
    """The error of a node that cannot be reached: of `network` (`ecosystem:name`, or the URI given as the network)
    at `uri`, when known, with what to do about it."""
    first = one_line(error).splitlines()[0].rstrip(".")
    named = network is not None and ":" in network and not network.startswith(("http", "ws"))
    where = f" of {network}" if named else ""
    at = f" at {uri or network}" if (uri or network) else ""
    return NodeError(
        f"cannot connect to the node{where}{at} ({first}): {_what_to_do(network if named else None, uri)}"
    )


def _what_to_do(network: str | None, uri: str | None) -> str:
    if uri is not None and uri == node_uri():
        return "start it with `make node` (in another terminal)"
    if network is not None:
        ecosystem, name = network.split(":")[:2]
        return f"start it, or set its URI in ape-config.yaml (`node: {ecosystem}: {name}: uri:`)"
    return "is the node running?"


def missing_uri(network: str) -> NodeError:
    """The error of a network that has no node configured (`ecosystem:name`)."""
    ecosystem, name = network.split(":")[:2]
    return NodeError(
        f"no node configured for {network}: set its URI in ape-config.yaml (`node: {ecosystem}: {name}: uri: "
        f"https://...`) or in ${URI_ENV}"
    )


def listening(uri: str, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at the host and port of `uri`."""
    parsed = urlparse(uri)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def _choice(provider: Any) -> str | None:
    """`ecosystem:name` of `provider`'s network; None for a node given by URI (ape names its network `custom`)."""
    network = getattr(provider, "network", None)
    if network is None or getattr(network, "is_adhoc", False):
        return None
    return f"{network.ecosystem.name}:{network.name}"


def check_before_connecting(provider: Any) -> None:
    """`NodeError` for what is wrong before any request: a live network whose node has no URI (ape would try
    public RPCs, ten times each, and fail in a traceback)."""
    network = getattr(provider, "network", None)
    if network is None or network.is_local or getattr(network, "is_adhoc", False):
        return
    if getattr(provider, "name", None) != "node":
        return  # a provider plugin (Alchemy, Infura...) knows its own endpoints
    if getattr(provider, "_configured_rpc", None) is None and not os.environ.get(URI_ENV):
        raise missing_uri(f"{network.ecosystem.name}:{network.name}")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a `BallastError` raised inside into click's one-line `Error: ...` and exit 1."""
    try:
        yield
    except BallastError as err:
        raise click.ClickException(one_line(err)) from None


class BallastCommand(ConnectedProviderCommand):
    """ape's `ConnectedProviderCommand` (the `--network` option, a connected provider for the callback) whose
    failures print one line: a node that cannot be reached or is not configured, or a `BallastError` raised by the
    command."""

    def invoke(self, ctx: click.Context) -> Any:
        if self.callback is None:
            return None
        network_ctx = parse_network(ctx)
        with user_errors():
            if network_ctx is None:
                return self._invoke(ctx)
            provider = getattr(network_ctx, "_provider", None)
            name = _network_name(ctx) or _choice(provider)
            self.prepare(provider)
            with connected(network_ctx, name) as provider:
                try:
                    return self._invoke(ctx, provider=provider)
                except RequestsConnectionError as err:  # the node went away during the command
                    raise node_down(name, err, _uri(provider)) from None

    def prepare(self, provider: Any) -> None:
        """Checks before connecting (see `check_before_connecting`)."""
        check_before_connecting(provider)


class NodeCommand(BallastCommand):
    """A `BallastCommand` that works on a deployment. On `ethereum:local:foundry` it connects to the project's local
    node (`make node`, at `node_uri()`), or to the anvil `APE_FOUNDRY_HOST` names (ape-foundry's own setting), and
    says in one line to start it when nothing listens there: ape-foundry would start a throwaway anvil in its place,
    and a deployment sent there would vanish with the command."""

    def prepare(self, provider: Any) -> None:
        super().prepare(provider)
        uri = local_node_uri(provider)
        if uri is None:
            return
        if not listening(uri):
            what = "start it with `make node` (in another terminal)"
            if uri != node_uri():
                what = (
                    f"start the anvil there, or unset {FOUNDRY_HOST_ENV} for the project's node (`make node`)"
                )
            raise NodeError(f"no node at {uri} for {LOCAL_CHOICE}: {what}")
        provider._host = uri  # what ape-foundry connects to


def node_uri() -> str:
    """The project's local node: $BALLAST_NODE_URI, else `NODE_URI`."""
    return os.environ.get(NODE_URI_ENV) or NODE_URI


def local_node_uri(provider: Any) -> str | None:
    """The node a command of a deployment on `provider` (ape-foundry's, on the local network) works on: the anvil
    `APE_FOUNDRY_HOST` names, else the configured `foundry: host`, else (`auto`: a throwaway anvil per command) the
    project's node. None for another provider, or `APE_FOUNDRY_HOST=auto`."""
    network = getattr(provider, "network", None)
    if network is None or not network.is_local or getattr(provider, "name", None) != "foundry":
        return None
    host = os.environ.get(FOUNDRY_HOST_ENV) or getattr(getattr(provider, "settings", None), "host", None)
    if host in (None, "auto"):
        return None if os.environ.get(FOUNDRY_HOST_ENV) == "auto" else node_uri()
    host = str(host)
    return host if host.startswith("http") else f"http://{host}"


@contextmanager
def connected(network_ctx: AbstractContextManager[Any], network: str | None) -> Iterator[Any]:
    """Enter ape's provider context `network_ctx` and yield its provider; a node that cannot be reached (of
    `network`, when known) raises `NodeError`."""
    with ExitStack() as stack:
        provider = getattr(network_ctx, "_provider", None)
        check_before_connecting(provider)
        try:
            provider = stack.enter_context(network_ctx)
        except (ApeException, ConnectionError, OSError) as err:
            raise node_down(network or _choice(provider), err, _uri(provider)) from None
        yield provider


def _uri(provider: Any) -> str | None:
    """The URI `provider` connects to, when it has one without asking the network."""
    for attribute in ("_host", "_configured_rpc"):
        value = getattr(provider, attribute, None)
        if isinstance(value, str) and value.startswith(("http", "ws")):
            return value
    return None


def _network_name(ctx: click.Context) -> str | None:
    value = ctx.params.get("network")
    return value if isinstance(value, str) else None


def fail(error: BallastError) -> NoReturn:
    """Print `error` as a command's one line on stderr and exit 1 (for code outside click, e.g. a bot's startup)."""
    click.echo(f"Error: {one_line(error)}", err=True)
    raise SystemExit(1)


def bot_startup(handler: Callable[P, R]) -> Callable[P, R]:
    """A Silverback startup handler whose `BallastError` stops the bot with one line and exit code 1."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except BallastError as err:
            fail(err)

    return wrapper


# ---------------------------------------------------------------------------------------------------- Silverback bots


def silverback_bot(signer_required: bool = False) -> Any:
    """A `SilverbackBot` connected as `silverback run` asks (its network option, `SILVERBACK_NETWORK_CHOICE`); a
    node that cannot be reached or has no URI stops the bot with one line and exit code 1 instead of a traceback."""
    from silverback import SilverbackBot
    from silverback.settings import Settings

    settings = Settings()
    choice = settings.get_network_choice()
    provider = None
    try:
        context = settings.get_provider_context()
        provider = getattr(context, "_provider", None)
        check_before_connecting(provider)
        return SilverbackBot(settings=settings, signer_required=signer_required)
    except BallastError as err:
        fail(err)
    except (ApeException, ConnectionError, OSError) as err:
        fail(node_down(_choice(provider) or choice, err, _uri(provider)))


def stop_promptly(bot: Any, name: str) -> None:
    """Make `bot` stop within a moment of SIGINT or SIGTERM, and say so in a last line.

    silverback's runner handles both signals by setting an asyncio event from a plain `signal.signal` handler: the
    event loop does not wake for it, and sleeps on until its next timer (a cron task's: up to a minute), so a bot
    took 25-60 s to stop. Registering the signals with the loop (`add_signal_handler`, at startup, before the runner
    installs its own handlers) makes the signal also write to the loop's wake-up pipe: the loop wakes at once and
    runs the runner's shutdown. The process then exits without its last garbage collection
    (`ballast.keepers.common.exit_without_collecting`)."""
    from ballast.keepers.common import exit_without_collecting

    exit_without_collecting()

    async def wake_on_signals(startup_state: Any) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, _ignore)

    def say_stopped() -> None:
        from ape.logging import logger

        logger.info(f"{name} bot stopped")

    bot.on_startup()(wake_on_signals)
    bot.on_shutdown()(say_stopped)


def _ignore() -> None:
    """The loop's own handler of SIGINT and SIGTERM: the runner's handler does the work, this one only wakes."""
