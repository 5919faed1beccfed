"""How `ape console` reports a failure: one line naming the error, e.g. `MarginEngine.modifyPosition reverted:
InsufficientMargin(initialEquity=-$3.0000, initialMargin=$300.00, stressEquity=-$603.00)`, instead of ape's call
trace, a Python traceback and the raw revert data.

- Call traces are off by default: `traces(True)` in the console (or `BALLAST_TRACES=1` in the environment before
  starting it) brings back ape's trace of every failed transaction and call, and its traceback, with the decoded
  line after them. Off, ape also skips walking a failed transaction's whole step trace to find which contract raised
  an error the called one does not declare (seconds per failure): `ballast.console_errors` decodes such errors from
  the revert data alone.
- The one-line report is an IPython custom exception handler for ape's exceptions and `BallastError` (a helper's
  refusal, e.g. an unknown market), installed over the one ape's console plugin registers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from rich.console import Console

from ballast.console_errors import describe_error
from ballast.errors import BallastError

TRACES_ENV = "BALLAST_TRACES"

#: The ape methods `traces(False)` replaces, with what they were.
_ORIGINALS: dict[str, Any] = {}
#: Called once each when traces are first turned on (`when_traces_on`).
_ON_TRACES: list[Callable[[], None]] = []


def when_traces_on(callback: Callable[[], None]) -> None:
    """Run `callback` the first time traces are turned on (at once if they are on): the console uses it to tell ape
    the deployment's contract types, so that traces name contracts and functions instead of addresses and
    selectors."""
    if traces():
        callback()
    else:
        _ON_TRACES.append(callback)


def _trace_targets() -> dict[str, tuple[Any, str]]:
    from ape_ethereum.ecosystem import Ethereum
    from ape_ethereum.trace import Trace

    return {"show": (Trace, "show"), "decode": (Ethereum, "decode_custom_error")}


def traces(on: bool | None = None) -> bool:
    """Turn ape's call traces on failures on (`True`) or off (`False`); without an argument, say whether they are
    on. Returns the setting in force."""
    targets = _trace_targets()
    if on is None:
        return not _ORIGINALS
    if on:
        for key, (owner, name) in targets.items():
            if key in _ORIGINALS:
                setattr(owner, name, _ORIGINALS.pop(key))
        while _ON_TRACES:
            _ON_TRACES.pop(0)()
        return True
    if not _ORIGINALS:
        owner, name = targets["show"]
        _ORIGINALS["show"] = getattr(owner, name)
        setattr(owner, name, lambda self, *args, **kwargs: None)
        owner, name = targets["decode"]
        original = _ORIGINALS["decode"] = getattr(owner, name)

        def decode_custom_error(self: Any, data: Any, address: Any, **kwargs: Any) -> Any:
            txn = kwargs.pop("txn", None)  # without the transaction ape cannot go looking for its trace
            error = original(self, data, address, **kwargs)
            if error is not None and txn is not None:
                error.txn = txn  # given back once decoded: the one-line report names the function called
            return error

        setattr(owner, name, decode_custom_error)
    return False


def traces_from_env() -> bool:
    """The setting `BALLAST_TRACES` asks for (off unless `1`)."""
    return os.environ.get(TRACES_ENV) == "1"


def failure_line(error: BaseException) -> str | None:
    """The one line the console prints for `error`: a decoded revert, or a helper's refusal; None when neither."""
    if isinstance(error, BallastError):
        return f"ballast: {error}"
    return describe_error(error)


def exception_handler(console: Console) -> Callable[..., None]:
    """An IPython custom exception handler printing `failure_line`: with traces on, after what ape's console shows."""

    def handle(
        shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
    ) -> None:
        line = failure_line(value)
        if traces():
            if not isinstance(value, BallastError):
                ape_handler = _APE_HANDLER.get("handler") or _ape_console_handler()
                ape_handler(shell, etype, value, tb, tb_offset)
        elif line is None:
            message = " ".join(str(value).split()) or "(no message)"
            line = f"{type(value).__name__}: {message}"
        if line is not None:
            console.print(line, style="red", soft_wrap=True, highlight=False, markup=False)

    return handle


#: ape console's own handler, kept before it is replaced.
_APE_HANDLER: dict[str, Callable[..., Any]] = {}


def install(console: Console, trace: bool | None = None) -> None:
    """Install the one-line failure report in the running IPython shell and in the one ape's console is about to
    start (its plugin registers its handler when IPython loads it), and set traces (`BALLAST_TRACES` by default)."""
    from ape.exceptions import ApeException

    traces(traces_from_env() if trace is None else trace)
    handler = exception_handler(console)
    kinds = (ApeException, BallastError)
    import ape_console.plugin as plugin
    from IPython.core.getipython import get_ipython

    _APE_HANDLER.setdefault("handler", _ape_console_handler())
    load = getattr(plugin.load_ipython_extension, "__wrapped__", plugin.load_ipython_extension)

    def load_ipython_extension(ipython: Any) -> None:
        load(ipython)
        ipython.set_custom_exc(kinds, handler)

    load_ipython_extension.__wrapped__ = load  # type: ignore[attr-defined]
    plugin.load_ipython_extension = load_ipython_extension
    shell = get_ipython()  # type: ignore[no-untyped-call]
    if shell is not None:
        shell.set_custom_exc(kinds, handler)


def _ape_console_handler() -> Callable[..., Any]:
    """ape console's own handler (its traceback frames and `ERROR: (Type) message`)."""
    import ape_console.plugin as plugin

    handler: Callable[..., Any] = plugin.custom_exception_handler
    return handler
