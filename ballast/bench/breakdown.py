"""Where a bench row's gas goes, measured: forge's decoded call trace of the harness test that recorded the row.

`forge test -vvvv --decode-internal` prints every call of a test as a tree, external calls (`engine::liquidateAccount`)
and internal functions (`MarginEngine::_health`) alike, each with the gas it spent. The measured call of a row is the
frame whose gas equals the row's execution (`vm.lastCallGas` is the same figure forge prints for the call), so the
breakdown of a row is that frame's children: what each part cost, what is left to the frame's own code (storage,
memory, dispatch), and how many events it emitted. `make bench` writes it for every row over its target.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ballast.bench.files import ROOT
from ballast.bench.results import Report
from ballast.errors import BenchError

_BRANCH = re.compile(r"[├└]─ ")
_FRAME = re.compile(r"^\[(\d+)\] (\S+?::[A-Za-z0-9_$]+)")
_HEADER = re.compile(r"^\[PASS\] (\w+)\(")
MARGINAL_KEY = "liquidate_many_marginal"
MARGINAL_SOURCE = "liquidate_many_10"


@dataclass
class Frame:
    """One call of the trace: its gas, `Contract::function` (or `label::function` for a deployed contract), the
    events it emitted itself and the calls it made."""

    gas: int
    name: str
    events: int = 0
    children: list[Frame] = field(default_factory=list)

    @property
    def own(self) -> int:
        """What the frame spent outside the frames it called: its storage, memory, events and dispatch."""
        return max(self.gas - sum(c.gas for c in self.children), 0)

    def all_events(self) -> int:
        return self.events + sum(c.all_events() for c in self.children)

    def walk(self) -> Iterator[Frame]:
        yield self
        for c in self.children:
            yield from c.walk()


def parse_tree(lines: Iterable[str]) -> list[Frame]:
    """The call trees of one test's `Traces:` block (each top-level line is a root)."""
    roots: list[Frame] = []
    stack: list[tuple[int, Frame]] = []
    for line in lines:
        m = _BRANCH.search(line)
        if m is None:
            depth, content = 0, line.strip()
        else:
            depth, content = m.start() // 4, line[m.end() :].strip()
        if not content:
            continue
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        if content.startswith("emit "):
            if parent is not None:
                parent.events += 1
            continue
        frame_match = _FRAME.match(content)
        if frame_match is None:
            continue
        frame = Frame(int(frame_match.group(1)), frame_match.group(2))
        if parent is None:
            roots.append(frame)
        else:
            parent.children.append(frame)
        stack.append((depth, frame))
    return roots


def traces_by_test(output: str) -> dict[str, list[Frame]]:
    """Every test's call trees in the text output of `forge test -vvvv --decode-internal`, by test name."""
    traces: dict[str, list[Frame]] = {}
    name: str | None = None
    block: list[str] = []
    for line in output.splitlines():
        header = _HEADER.match(line)
        if header is not None:
            if name is not None:
                traces[name] = parse_tree(block)
            name, block = header.group(1), []
        elif name is not None and line.startswith("Suite result"):
            traces[name] = parse_tree(block)
            name, block = None, []
        elif name is not None and line.startswith("  "):
            block.append(line)
    if name is not None:
        traces[name] = parse_tree(block)
    return traces


def measured_frame(roots: Iterable[Frame], execution: int) -> Frame | None:
    """The frame of the measured call: the first whose gas is the row's execution (none for a figure measured inside
    another call, such as a consumer's price read)."""
    for root in roots:
        for frame in root.walk():
            if frame is not root and frame.gas == execution:
                return frame
    return None


def unwrap(frame: Frame, share: float = 0.9) -> Frame:
    """The frame that does the work: down through frames that only pass the call on (a fallback's delegatecall, a
    view's internal twin), each spending at least `share` of the gas in a single child."""
    while len(frame.children) == 1 and frame.children[0].gas >= frame.gas * share:
        frame = frame.children[0]
    return frame


def _groups(frames: Iterable[Frame], floor: float) -> list[tuple[str, list[Frame], int]]:
    """`frames` by name, biggest total first, those of at least `floor` gas in all: (name, calls, total)."""
    groups: dict[str, list[Frame]] = {}
    for f in frames:
        groups.setdefault(f.name, []).append(f)
    totals = [(name, calls, sum(c.gas for c in calls)) for name, calls in groups.items()]
    return sorted((g for g in totals if g[2] >= floor), key=lambda g: -g[2])


def _group_text(name: str, calls: list[Frame], total: int) -> str:
    if len(calls) == 1:
        return f"{name} {total:,}"
    rest = sorted({c.gas for c in calls[1:]})
    others = f"{rest[0]:,}" if len(rest) == 1 else f"{rest[0]:,}-{rest[-1]:,}"
    return f"{name} x{len(calls)} {total:,} (first {calls[0].gas:,}, then {others} each)"


def describe(frame: Frame, *, min_share: float = 0.03, expand_share: float = 0.2) -> str:
    """One line: the parts of the frame that does the work (`unwrap`) over `min_share` of it, biggest first (calls
    of the same name together, with their count and the first's and the others' gas), those over `expand_share` with
    their own biggest parts in brackets; then the frame's own code and storage, and its events."""
    work = unwrap(frame)
    floor = frame.gas * min_share
    pieces: list[str] = []
    for name, calls, total in _groups(work.children, floor):
        text = _group_text(name, calls, total)
        if total >= frame.gas * expand_share:
            inner = _groups(unwrap(calls[0]).children, floor)
            if inner:
                text += " [" + "; ".join(_group_text(*g) for g in inner) + "]"
        pieces.append(text)
    pieces.append(f"own code and storage {work.own:,}")
    via = f" (in {work.name})" if work is not frame else ""
    return (
        f"{frame.name} {frame.gas:,} execution{via}: "
        + "; ".join(pieces)
        + f"; {frame.all_events()} events emitted in all"
    )


def _run_traces(suite: str, tests: Iterable[str], root: Path) -> dict[str, list[Frame]]:
    path, _, contract = suite.partition(":")
    pattern = "^(" + "|".join(sorted(set(tests))) + r")\(\)$"
    cmd = [
        "forge",
        "test",
        "--match-path",
        path,
        "--match-contract",
        f"^{contract}$",
        "--match-test",
        pattern,
    ]
    cmd += ["-vvvv", "--decode-internal"]
    try:
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BenchError("forge not found: run `make setup` (it links forge into .venv/bin)") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-2:] or ["no output"]
        raise BenchError(f"forge could not trace {suite} (exit {proc.returncode}): {' | '.join(tail)}")
    return traces_by_test(proc.stdout)


def missed_rows(report: Report) -> list[str]:
    """The keys of the rows over their target."""
    return [op.key for op, gas in report.rows() if (t := report.target(op)) is not None and gas > t]


def marginal_account(batch: Frame) -> Frame | None:
    """One extra account of a `liquidateMany` batch: its second liquidation (the first pays the batch's cold reads)."""
    inner = [c for c in batch.children if c.name.endswith("::liquidateInBatch")]
    return inner[1] if len(inner) > 1 else None


def attach_breakdowns(report: Report, root: Path = ROOT) -> None:
    """Trace the harness tests of the rows over their target (one forge run per suite) and put each row's measured
    breakdown in `report.breakdowns`. The batch's marginal account, a derived figure, is read from the 10-account
    batch: the batch's parts and one extra account's. A row measured inside another call has none."""
    keys = missed_rows(report)
    sources = {key: MARGINAL_SOURCE if key == MARGINAL_KEY else key for key in keys}
    by_suite: dict[str, set[str]] = {}
    for source in sources.values():
        m = report.measurements.get(source)
        if m is not None and m.suite and m.test:
            by_suite.setdefault(m.suite, set()).add(m.test)
    traces: dict[tuple[str, str], list[Frame]] = {}
    for suite, tests in sorted(by_suite.items()):
        for test, roots in _run_traces(suite, tests, root).items():
            traces[(suite, test)] = roots
    for key, source in sources.items():
        m = report.measurements.get(source)
        if m is None:
            continue
        frame = measured_frame(traces.get((m.suite, m.test), []), m.execution)
        if frame is None:
            continue
        text = describe(frame)
        if key == MARGINAL_KEY:
            extra = marginal_account(frame)
            text = f"the {source} batch: {text}" + (
                f". One extra account: {describe(extra)}" if extra else ""
            )
        report.breakdowns[key] = text
