"""The properties a scenario checks at the end of its run: each a `Check`, a function of the run's record to a
`PropertyResult` with its verdict and a one-line detail. `CASCADE` and `REPLAY_CASCADE` are the sets the cascades
share.

"LP loss" is, in every property, the deficits socialized to LPs (`DeficitSocialized`) once the InsuranceFund is empty.
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import pairwise

from ballast.scenarios.model import BlockMetrics, PropertyResult, Verdict
from ballast.scenarios.record import UNUSABLE, Check, Liquidation, RunRecord, stale_liquidations

MANIPULATION_TOLERANCE = 0.02  # the stored median may differ from the true price by at most this much


def _verdict(ok: bool) -> Verdict:
    return Verdict.PASS if ok else Verdict.FAIL


def _exposed(record: RunRecord, symbol: str) -> set[str]:
    """Traders whose health reads `symbol` (collateral, cash in it, or a market on it)."""
    out = set()
    for t in record.population.traders:
        if symbol in t.deposits or any(m.split("-")[0] == symbol for m in t.positions):
            out.add(t.address)
    return out


def _fault_blocks(record: RunRecord, symbol: str, kind: str | None = None) -> set[int]:
    """The blocks where a fault (of `kind`, if given) acts on `symbol`."""
    return {
        b
        for f in record.faults
        if f.symbol == symbol and (kind is None or f.kind == kind)
        for b in range(f.start, f.end)
    }


def _median_gap(row: BlockMetrics, symbol: str) -> float:
    """How far the stored median of `symbol` is from the true (path) price in a block's row, as a ratio."""
    return abs(row.assets[symbol].median / row.assets[symbol].path_price - 1)


def _median_close(name: str, blocks: Collection[object], worst: float, detail: str) -> PropertyResult:
    """PASS when some blocks were measured and the worst median gap among them is within the tolerance."""
    return PropertyResult(name, _verdict(bool(blocks) and worst <= MANIPULATION_TOLERANCE), detail)


def _exposed_liquidations(
    record: RunRecord, symbol: str, kind: str
) -> tuple[set[int], list[Liquidation], str]:
    """The blocks of `symbol`'s `kind` fault, the liquidations in them of accounts exposed to `symbol`, and the
    detail line that counts them."""
    window = _fault_blocks(record, symbol, kind)
    exposed = _exposed(record, symbol)
    during = [x for x in record.liquidations if x.block in window and x.account in exposed]
    statuses = sorted({m.assets[symbol].status for m in record.metrics if m.block in window})
    detail = (
        f"{len(during)} liquidations of {len(exposed)} exposed accounts over {len(window)} blocks "
        f"({symbol} status {', '.join(statuses)})"
    )
    return window, during, detail


def liquidations_happen(minimum: int = 1) -> Check:
    def check(r: RunRecord) -> PropertyResult:
        n = len(r.liquidations)
        return PropertyResult(
            "the crash is liquidated", _verdict(n >= minimum), f"{n} liquidations (>= {minimum})"
        )

    return check


def cascade_clears() -> Check:
    def check(r: RunRecord) -> PropertyResult:
        last = r.metrics[-1].liquidatable if r.metrics else -1
        return PropertyResult(
            "no account is left liquidatable at the end",
            _verdict(last == 0),
            f"{last} liquidatable accounts at the last block",
        )

    return check


def stale_asset_wound_down(symbol: str) -> Check:
    """docs/design.md#liveness: an asset its sources leave Stale is wound down within the governed bound (its
    maxPriceAge, the oracle's windDownAfter and windDownDelay, from its last accepted price, plus three blocks for the
    keeper to act), and no account stays unresolvable after it. A run that ends before the bound cannot judge it:
    FAIL."""

    def check(r: RunRecord) -> PropertyResult:
        name = f"{symbol} wound down within the bound and its accounts resolved"
        statuses = [m.assets[symbol].status for m in r.metrics]
        if "Stale" not in statuses:
            return PropertyResult(name, Verdict.FAIL, f"{symbol} never turned Stale")
        first = statuses.index("Stale")
        # The last accepted price is at most a block older than the first Stale block's end.
        deadline = r.metrics[first].timestamp + r.wind_down_bound[symbol] + 3 * r.settings.block_time
        wound = next((m for m in r.metrics if m.assets[symbol].status == "WindDown"), None)
        if wound is None:
            left = deadline - r.metrics[-1].timestamp
            reason = f"the run ended {left} s before the bound" if left > 0 else "not wound down by the bound"
            return PropertyResult(name, Verdict.FAIL, reason)
        late = wound.timestamp > deadline
        last = r.metrics[-1].liquidatable
        return PropertyResult(
            name,
            _verdict(not late and last == 0),
            f"Stale from block {first}, wound down at block {wound.block} at {wound.assets[symbol].median:.6g} USD "
            f"({wound.timestamp - r.metrics[first].timestamp} s later; bound {r.wind_down_bound[symbol]} s + 3 "
            f"blocks); {last} accounts liquidatable at the end",
        )

    return check


def lp_loss_after_insurance() -> Check:
    def check(r: RunRecord) -> PropertyResult:
        bad = [c for c in r.cover_checks if c[2] != c[4]]
        detail = (
            f"{len(r.cover_checks)} covers left a deficit to LPs (LP loss ${r.lp_loss:,.2f} socialized in all); in "
            f"each the fund paid all it held"
            if not bad
            else f"{len(bad)} covers socialized a loss while the fund held more than it paid: {bad[:3]}"
        )
        if not r.cover_checks:
            detail = f"no loss reached the LPs (${sum(a.insurance_covered for a in r.absorptions):,.2f} of deficits covered by the fund)"
        return PropertyResult("LP loss only after the InsuranceFund is empty", _verdict(not bad), detail)

    return check


def no_new_risk_unless_ok(required: bool = True) -> Check:
    def check(r: RunRecord) -> PropertyResult:
        not_ok = [p for p in r.probes if p[2] != "Ok"]
        accepted = [p for p in not_ok if p[3]]
        ok_probes = [p for p in r.probes if p[2] == "Ok"]
        baseline = all(p[3] for p in ok_probes)
        verdict = not accepted and baseline and (bool(not_ok) or not required)
        errors = sorted({p[4].split("(")[0] for p in not_ok if not p[3]})
        detail = (
            f"{len(not_ok)} probes while a market's or the settlement asset's price was not Ok: {len(accepted)} accepted "
            f"(errors: {', '.join(errors) or 'none'}); {sum(p[3] for p in ok_probes)}/{len(ok_probes)} accepted while Ok"
        )
        return PropertyResult("no new risk while the status is not Ok", _verdict(verdict), detail)

    return check


def median_tracks_truth(symbol: str) -> Check:
    def check(r: RunRecord) -> PropertyResult:
        faulty = _fault_blocks(r, symbol)
        worst = max((_median_gap(m, symbol) for m in r.metrics if m.block in faulty), default=0.0)
        detail = f"largest gap median vs true price over {len(faulty)} faulty blocks: {worst:.2%} (<= {MANIPULATION_TOLERANCE:.0%})"
        return _median_close(
            f"{symbol} median follows the honest sources during the fault", faulty, worst, detail
        )

    return check


def median_follows_path(symbol: str) -> Check:
    def check(r: RunRecord) -> PropertyResult:
        gaps = [_median_gap(m, symbol) for m in r.metrics]
        worst = max(gaps, default=1.0)
        statuses = sorted({m.assets[symbol].status for m in r.metrics})
        detail = f"largest gap over {len(gaps)} blocks: {worst:.2%}; statuses seen: {', '.join(statuses)}"
        return _median_close(f"{symbol} median follows the replayed price", gaps, worst, detail)

    return check


def no_liquidation_at_bad_price(symbol: str) -> Check:
    def check(r: RunRecord) -> PropertyResult:
        faulty = _fault_blocks(r, symbol)
        during = [x for x in r.liquidations if x.block in faulty]
        bad = [x for x in during if abs(x.true_vs_median[symbol]) > MANIPULATION_TOLERANCE]
        return PropertyResult(
            f"no liquidation at a bad {symbol} price",
            _verdict(not bad),
            f"{len(during)} liquidations during the fault, {len(bad)} while the median was off the true price by > "
            f"{MANIPULATION_TOLERANCE:.0%}",
        )

    return check


def no_liquidation_while(symbol: str, kind: str) -> Check:
    def check(r: RunRecord) -> PropertyResult:
        window, during, detail = _exposed_liquidations(r, symbol, kind)
        return PropertyResult(
            f"no liquidation of {symbol} accounts while {kind.replace('_', ' ')}",
            _verdict(bool(window) and not during),
            detail,
        )

    return check


def liquidations_continue_while(symbol: str, kind: str) -> Check:
    """docs/design.md#liveness: a freeze brakes new risk, never exits: accounts exposed to the frozen asset are still
    liquidated."""

    def check(r: RunRecord) -> PropertyResult:
        window, during, detail = _exposed_liquidations(r, symbol, kind)
        return PropertyResult(
            f"{symbol} accounts are still liquidated while {kind.replace('_', ' ')}",
            _verdict(bool(window) and bool(during)),
            detail,
        )

    return check


def liquidations_resume(symbol: str, kind: str) -> Check:
    def check(r: RunRecord) -> PropertyResult:
        end = max((f.end for f in r.faults if f.symbol == symbol and f.kind == kind), default=None)
        after = [x for x in r.liquidations if end is not None and x.block >= end]
        return PropertyResult(
            "liquidations resume on recovery",
            _verdict(bool(after)),
            f"{len(after)} liquidations from block {end} on",
        )

    return check


def no_liquidation_in_window(symbol: str, kind: str, extra: int = 1) -> Check:
    def check(r: RunRecord) -> PropertyResult:
        window = {
            b
            for f in r.faults
            if f.symbol == symbol and f.kind == kind
            for b in range(f.start, f.end + extra)
        }
        during = [x for x in r.liquidations if x.block in window]
        return PropertyResult(
            f"the {symbol} {kind} liquidates nobody",
            _verdict(bool(window) and not during),
            f"{len(during)} liquidations in blocks {min(window, default=0)}..{max(window, default=0)}",
        )

    return check


def no_liquidation_at_unusable_price() -> Check:
    def check(r: RunRecord) -> PropertyResult:
        bad = stale_liquidations(r)
        blocked = sorted(
            {b for b, m in enumerate(r.metrics) if any(a.status in UNUSABLE for a in m.assets.values())}
        )
        where = f"blocks {blocked[0]}..{blocked[-1]}" if blocked else "no block"
        return PropertyResult(
            "no liquidation reads a Stale price",
            _verdict(not bad),
            f"{len(bad)} of {len(r.liquidations)} liquidations read a price its sources gave as Stale (some asset "
            f"Stale in {len(blocked)} blocks: {where})",
        )

    return check


def books_balance() -> Check:
    def check(r: RunRecord) -> PropertyResult:
        f = r.final_books
        problems = []
        for sym, (balance, total) in f["collateral"].items():
            if balance < total:
                problems.append(f"engine holds {balance} {sym} < booked {total}")
        for sym, (balance, reserve) in f["pool"].items():
            if balance < reserve:
                problems.append(f"pool holds {balance} {sym} < reserves {reserve}")
        if f["insurance balance"] < f["insurance booked"]:
            problems.append("InsuranceFund balance below its books")
        return PropertyResult(
            "books covered by balances at the end (docs/design.md#invariants (1 and 3))",
            _verdict(not problems),
            "; ".join(problems)
            or f"collateral, pool reserves and insurance all covered; pool NAV {f['pool nav'] / 1e18:,.0f} USD",
        )

    return check


def options_liquidated_with_perps(minimum: int = 1) -> Check:
    """Liquidations close an account's options together with its perps: at least `minimum` liquidations emitted a
    `ProductLiquidated` and reduced the account's perps in the same transaction."""

    def check(r: RunRecord) -> PropertyResult:
        with_options = [x for x in r.liquidations if x.products]
        both = [x for x in with_options if x.closed_perps]
        return PropertyResult(
            "liquidations close options and perps together",
            _verdict(len(both) >= minimum),
            f"{len(with_options)} of {len(r.liquidations)} liquidations closed options, {len(both)} of them with the "
            f"account's perps in the same transaction (>= {minimum})",
        )

    return check


def implied_vol_stepped() -> Check:
    """The risk manager raised implied volatility within the book's rule as the book states it
    (`RunRecord.vol_rule`): at least one step, each at most MAX_VOL_STEP_BPS of the value before it, at least
    VOL_STEP_INTERVAL after the previous one."""

    def check(r: RunRecord) -> PropertyResult:
        steps = r.vol_steps
        max_step_bps, interval = r.vol_rule
        too_large = [v for v in steps if v.after > v.before * (1 + max_step_bps / 10_000) * (1 + 1e-12)]
        too_soon = [b for a, b in pairwise(steps) if b.timestamp - a.timestamp < interval]
        path = f"{steps[0].before:.4f} -> {steps[-1].after:.4f}" if steps else "none"
        return PropertyResult(
            "implied volatility raised in the book's steps",
            _verdict(bool(steps) and max_step_bps > 0 and not too_large and not too_soon),
            f"{len(steps)} steps ({path}); {len(too_large)} above {max_step_bps / 100:g} %, {len(too_soon)} within "
            f"{interval} s of the last",
        )

    return check


def series_settled_at_expiry(payoff_tolerance: float = 1e-6) -> Check:
    """Every series listed for the run that expired before its last block was settled by the expiry keeper at the
    oracle's TWAP over the settlement window ending at expiry (`atExpiry`, equal to `twapEndingAt` read at settlement)
    within a block of expiry, and each position realized afterwards was paid its payoff at that price."""

    def check(r: RunRecord) -> PropertyResult:
        end = r.metrics[-1].timestamp if r.metrics else 0
        due = {sid: e for sid, e in r.listed_series.items() if e <= end}
        by_id = {s.series_id: s for s in r.settlements}
        problems = []
        for sid in sorted(due):
            st = by_id.get(sid)
            if st is None:
                problems.append(f"#{sid} not settled")
                continue
            if not st.at_expiry or abs(st.price - st.twap_at_expiry) > 1e-9 * st.twap_at_expiry:
                problems.append(
                    f"#{sid} at {st.price} (TWAP at expiry {st.twap_at_expiry}, atExpiry {st.at_expiry})"
                )
            if st.delay > r.settings.block_time:
                problems.append(f"#{sid} settled {st.delay} s after expiry")
        wrong = 0
        for _, sid, _, size, payoff in r.payouts:
            st = by_id.get(sid)
            if st is None:
                continue
            unit = max(st.price - st.strike, 0.0) if st.is_call else max(st.strike - st.price, 0.0)
            wrong += abs(payoff - size * unit) > payoff_tolerance * max(1.0, abs(size * unit))
        settled = (
            ", ".join(f"#{s.series_id} at {s.price:,.2f} ({s.delay} s)" for s in r.settlements) or "none"
        )
        return PropertyResult(
            "expired series settled at the TWAP ending at expiry",
            _verdict(bool(due) and not problems and not wrong),
            f"{len(due)} series expired in the run; settled: {settled}; {len(r.payouts)} positions realized, "
            f"{wrong} not at their payoff" + (f"; {'; '.join(problems)}" if problems else ""),
        )

    return check


def losses_within_insurance() -> Check:
    """No loss reaches the LPs: every deficit the run absorbed was covered by the InsuranceFund in full, and nothing
    was socialized."""

    def check(r: RunRecord) -> PropertyResult:
        deficits = sum(a.deficit for a in r.absorptions)
        covered = sum(a.insurance_covered for a in r.absorptions)
        uncovered = [a for a in r.absorptions if a.insurance_covered + 1e-9 < a.deficit]
        return PropertyResult(
            "bad debt covered by the InsuranceFund, no LP loss",
            _verdict(not uncovered and r.lp_loss == 0),
            f"bad debt ${deficits:,.2f} in {len(r.absorptions)} absorptions, ${covered:,.2f} covered by the fund; "
            f"LP loss ${r.lp_loss:,.2f}",
        )

    return check


CASCADE: tuple[Check, ...] = (
    liquidations_happen(),
    cascade_clears(),
    lp_loss_after_insurance(),
    no_new_risk_unless_ok(),
    books_balance(),
)

#: The cascade properties, and that no liquidation reads a price the Liquidator must refuse.
REPLAY_CASCADE: tuple[Check, ...] = (*CASCADE, no_liquidation_at_unusable_price())
