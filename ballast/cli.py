"""How every command of the project fails: a `BallastError` (a user mistake, a missing manifest, a keeper's settings)
or a node that cannot be reached prints one line, `Error: <what>`, on stderr and exits 1; anything else is a bug and
keeps its traceback.

- `ape run` scripts use `BallastCommand` in place of ape's `ConnectedProviderCommand`: it connects to the network
  the same way, and turns a connection failure and a `BallastError` into that line.
- Plain click commands (`python -m ballast.bench`, `python -m ballast.analysis`) wrap their body in `user_errors`.
- Silverback bots wrap their startup handlers in `bot_startup`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any, NoReturn, ParamSpec, TypeVar

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


def node_down(network: str | None, error: BaseException) -> NodeError:
    """The error of a node that cannot be reached (for `network`, when the command line named it)."""
    first = one_line(error).splitlines()[0].rstrip(".")
    where = f" of {network}" if network else ""
    return NodeError(f"cannot connect to the node{where}: {first} (is the node running?)")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a `BallastError` raised inside into click's one-line `Error: ...` and exit 1."""
    try:
        yield
    except BallastError as err:
        raise click.ClickException(one_line(err)) from None


class BallastCommand(ConnectedProviderCommand):
    """ape's `ConnectedProviderCommand` (the `--network` option, a connected provider for the callback) whose
    failures print one line: a node that cannot be reached, or a `BallastError` raised by the command."""

    def invoke(self, ctx: click.Context) -> Any:
        if self.callback is None:
            return None
        network_ctx = parse_network(ctx)
        with user_errors():
            if network_ctx is None:
                return self._invoke(ctx)
            with connected(network_ctx, _network_name(ctx)) as provider:
                try:
                    return self._invoke(ctx, provider=provider)
                except RequestsConnectionError as err:  # the node went away during the command
                    raise node_down(_network_name(ctx), err) from None


@contextmanager
def connected(network_ctx: AbstractContextManager[Any], network: str | None) -> Iterator[Any]:
    """Enter ape's provider context `network_ctx` and yield its provider; a node that cannot be reached (of
    `network`, when the command line named it) raises `NodeError`."""
    with ExitStack() as stack:
        try:
            provider = stack.enter_context(network_ctx)
        except (ApeException, ConnectionError, OSError) as err:
            raise node_down(network, err) from None
        yield provider


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
