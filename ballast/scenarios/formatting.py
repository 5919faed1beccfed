"""Numbers as people read them in a scenario's summary.md, its terminal tables and its plots: USD with thousands
separators, percentages, health ratios, parameter values."""

from __future__ import annotations

import math
from typing import Any


def fmt_usd(value: float) -> str:
    """USD with thousands separators: cents, or 4 decimals between $0 and $10 (share prices, small rewards)."""
    if not math.isfinite(value):
        return str(value)
    text = f"${abs(value):,.4f}" if 0 < abs(value) < 10 else f"${abs(value):,.2f}"
    return f"-{text}" if value < 0 and text.strip("$0.,") else text


def fmt_pct(ratio: float) -> str:
    """A 0..1 ratio as a percentage."""
    return f"{ratio * 100:.2f} %" if math.isfinite(ratio) else str(ratio)


def fmt_health(ratio: float) -> str:
    """Maintenance equity / maintenance margin; `inf` (no positions) is "-"."""
    if math.isinf(ratio) and ratio > 0:
        return "-"
    return f"{ratio:,.3f}" if math.isfinite(ratio) else str(ratio)


def fmt_int(value: int) -> str:
    return f"{value:,}"


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:,.1f} s"


def fmt_blocks_to_clear(blocks: int | None) -> str:
    return "never" if blocks is None else fmt_int(blocks)


def fmt_value(value: Any) -> str:
    """A parameter value for people, deterministic for plain data (sets are sorted)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt_value(v)}" for k, v in value.items())
    if isinstance(value, set | frozenset):
        return ", ".join(sorted(fmt_value(v) for v in value))
    if isinstance(value, list | tuple):
        return ", ".join(fmt_value(v) for v in value)
    return str(value)


def fmt_signed_usd(value: float) -> str:
    """USD with an explicit sign (a split line is a gain or a loss)."""
    text = fmt_usd(abs(value))
    if not text.strip("$0.,"):  # rounds to zero: no sign
        return text
    return f"+{text}" if value > 0 else f"-{text}"


def fmt_per_share(value: float) -> str:
    return f"{value:+.8f}"
