// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IInsuranceFund} from "../../interfaces/IInsuranceFund.sol";
import {IMarginProduct} from "../../interfaces/IMarginProduct.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";
import {AccountMath} from "../libraries/AccountMath.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {PriceRange} from "../libraries/PriceRange.sol";
import {MarginEngineStorage} from "./MarginEngineStorage.sol";

/// @title MarginEngineBooks
/// @notice The MarginEngine's book-keeping that both its halves run: trades and their realized PnL, account cash
/// (profits paid, losses and fees owed, debt repaid), the Pool's exposure to the markets, and storage access. The
/// engine trades and liquidates with it; the extension auto-deleverages with it.
abstract contract MarginEngineBooks is MarginEngineStorage {
    using FixedPointMath for uint256;
    using SafeCast for uint256;
    using SafeCast for int256;
    using SafeERC20 for IERC20;
    using PriceRange for PriceRange.Range;

    // ---------------------------------------------------------------- trading

    /// @dev Move `account`'s position `pos` in `market` (as the caller read it: `_position`) by `delta` at `price` and
    /// borrow index `index`: settle its borrow fee, compute the PnL of any closed part (the caller books it:
    /// `_realize`), average the entry of any opened part, and keep the market aggregates and the account's market
    /// list. Returns the market's aggregates after the trade too. `pos` itself is left as it was.
    function _tradeWithoutFee(
        address account,
        uint256 market,
        Position memory pos,
        int256 delta,
        uint256 price,
        uint256 index
    ) internal returns (int256 realized, int256 sizeAfter, AccountMath.MarketState memory s) {
        s = _marketStateRef(market);
        AccountMath.removeFromMarket(s, pos.size, pos.entryPrice, pos.entryIndex);
        uint256 borrowFeeUsd = AccountMath.borrowFee(pos.size, pos.entryPrice, pos.entryIndex, index);
        int256 entry;
        (realized, sizeAfter, entry) = AccountMath.applyTrade(pos.size, pos.entryPrice, delta, price);
        realized -= int256(borrowFeeUsd);
        // A new struct: the caller's `pos` keeps the position as it was.
        pos = Position(sizeAfter.toInt128(), uint256(entry).toUint128(), index);
        AccountMath.addToMarket(s, pos.size, pos.entryPrice, index);
        _storeMarketState(market, s);
        _storePosition(account, market, pos);

        uint16 bit = uint16(1 << market);
        AccountSlot storage m = _accounts[account];
        if (sizeAfter == 0) {
            m.markets = m.markets & ~bit;
        } else if (m.markets & bit == 0) {
            if (_popcount(m.markets) == MAX_MARKETS_PER_ACCOUNT) {
                revert TooManyMarkets(account, MAX_MARKETS_PER_ACCOUNT);
            }
            m.markets = m.markets | bit;
        }
    }

    /// @dev Book a realized PnL in `account`'s cash at the settlement range `settlement`: a profit paid (`_payProfit`),
    /// a loss owed to the Pool (the more units, at the lower price).
    function _realize(address account, int256 realized, PriceRange.Range memory settlement) internal {
        if (realized > 0) {
            _payProfit(account, uint256(realized), settlement);
        } else if (realized < 0) {
            _payFromCash(account, settlement.unitsUp(uint256(-realized), _settlementDecimals), address(_pool), "pnl");
        }
    }

    // ---------------------------------------------------------------- cash

    /// @dev Pay `account` a realized profit of `usd`: in settlement units into its cash, and what the Pool's settlement
    /// reserve cannot pay in the Pool's other assets at their upper price, booked as the account's collateral (a
    /// profit is always paid in full when it is realized: docs/design.md#liveness). Reverts only if the whole Pool
    /// cannot pay it. Returns whether any of it was paid in kind.
    function _payProfit(address account, uint256 usd, PriceRange.Range memory settlement)
        internal
        returns (bool inKind)
    {
        uint256 units = settlement.unitsDown(usd, _settlementDecimals);
        uint256 paid = _pool.payProfit(units);
        if (paid != 0) _addCash(account, paid, "pnl");
        if (paid == units) return false;
        uint256 owedUsd = (units - paid).toValueDown(settlement.high, _settlementDecimals);
        uint256 n = _collateralList.length;
        for (uint256 i = 0; i < n && owedUsd != 0; ++i) {
            address asset = _collateralList[i];
            (uint256 amount, uint256 paidUsd) = _pool.payProfitInKind(asset, owedUsd);
            if (amount == 0) continue;
            owedUsd -= paidUsd < owedUsd ? paidUsd : owedUsd;
            _accounts[account].collateral |= uint16(1 << i);
            _balances[account][asset] += amount;
            _totalCollateral[asset] += amount;
            emit CollateralDeposited(account, asset, amount, address(_pool));
        }
        if (owedUsd != 0) revert ProfitUnpaid(account, owedUsd);
        return true;
    }

    /// @dev Credit `units` of settlement tokens the engine already holds: repay debt first, then add credit.
    function _addCash(address account, uint256 units, bytes32 reason) internal {
        AccountSlot memory c = _accounts[account];
        uint256 remaining = units;
        if (c.scaledDebt != 0) {
            uint256 index = _pool.borrowIndex();
            uint256 scaled = remaining.mulDivDown(FixedPointMath.WAD, index);
            if (scaled > c.scaledDebt) scaled = c.scaledDebt;
            if (scaled != 0) {
                remaining -= _pool.repay(scaled);
                c.scaledDebt -= uint104(scaled);
            }
        }
        c.credit += remaining.toUint104();
        (_accounts[account].credit, _accounts[account].scaledDebt) = (c.credit, c.scaledDebt);
        emit CashChanged(account, int256(units), c.credit, c.scaledDebt, reason);
    }

    /// @dev Pay `units` from `account`'s cash to `to` (the Pool books it as a loss received; the engine itself keeps
    /// them to pay them on): from credit first, the rest as new debt to the Pool.
    function _payFromCash(address account, uint256 units, address to, bytes32 reason) internal {
        AccountSlot memory c = _accounts[account];
        uint256 fromCredit = units < c.credit ? units : c.credit;
        uint256 borrowed = units - fromCredit;
        c.credit -= uint104(fromCredit);
        if (to == address(_pool)) {
            c.scaledDebt += _pool.receiveLoss(fromCredit, borrowed).toUint104();
        } else {
            if (borrowed != 0) c.scaledDebt += _pool.lend(borrowed, address(this)).toUint104();
            if (to == _insuranceFund) IInsuranceFund(to).fund(units, reason);
            else if (to != address(this)) IERC20(_settlementAsset).safeTransfer(to, units);
        }
        (_accounts[account].credit, _accounts[account].scaledDebt) = (c.credit, c.scaledDebt);
        emit CashChanged(account, -int256(units), c.credit, c.scaledDebt, reason);
    }

    /// @dev Drop `account`'s recorded provision (a liquidation or an absorb settles what it provisioned for).
    function _clearProvision(address account) internal {
        if (!_accounts[account].provisioned) return;
        uint256 provisioned = _provisions[account];
        (_provisions[account], _accounts[account].provisioned) = (0, false);
        uint256 total = _exposure.totalProvision - provisioned;
        _exposure.totalProvision = uint248(total); // at most the previous total
        emit ProvisionSet(account, 0, total);
    }

    // ---------------------------------------------------------------- valuation

    /// @dev Reserved liquidity covers what open positions can be owed (docs/design.md#liveness): a long's size at the
    /// upper price (its profit is below that), a short's entry notional (the most it can gain, at a price of zero);
    /// each times the market's reserve factor; plus what each margin product reserves.
    function _poolExposure(bool enforceRiskStatus, uint256 marginProducts)
        internal
        view
        returns (int256 pnlLow, int256 pnlHigh, uint256 reservedUsd)
    {
        uint256 index = _pool.borrowIndex();
        uint256 n = _markets.length;
        for (uint256 market = 0; market < n; ++market) {
            AccountMath.MarketState memory s = _marketStateRef(market);
            if (s.longSize == 0 && s.shortSize == 0) continue;
            MarketParams storage p = _market(market);
            address asset = p.asset;
            (uint256 low, uint256 high) =
                enforceRiskStatus ? _oracle.priceBounds(asset, IOracleAggregator.Action.Value) : _range(asset);
            (int256 atLow, int256 atHigh) = AccountMath.marketPnl(s, low, high, index);
            (pnlLow, pnlHigh) = atLow < atHigh ? (pnlLow + atLow, pnlHigh + atHigh) : (pnlLow + atHigh, pnlHigh + atLow);
            reservedUsd += (uint256(s.longSize).mulWadUp(high) + s.shortEntryNotional).mulBpsUp(p.reserveFactorBps);
        }
        // The margin products' own exposure (their traders' cash goes through this engine, so the Pool sees it here).
        for (uint256 i = 0; i < marginProducts; ++i) {
            (int256 atLow, int256 atHigh, uint256 reserved,) =
                ITraderBook(_marginProducts[i]).poolExposure(enforceRiskStatus);
            (pnlLow, pnlHigh) = atLow < atHigh ? (pnlLow + atLow, pnlHigh + atHigh) : (pnlLow + atHigh, pnlHigh + atLow);
            reservedUsd += reserved;
        }
    }

    function _range(address asset) internal view returns (uint256 low, uint256 high) {
        IOracleAggregator.PriceData memory d = _oracle.getPriceData(asset);
        return PriceRange.ordered(d.median, d.twap);
    }

    function _settlementRange() internal view returns (PriceRange.Range memory) {
        return PriceRange.fromData(_oracle.getPriceData(_settlementAsset));
    }

    // ---------------------------------------------------------------- margin products

    function _marginProduct(uint256 product) internal view returns (IMarginProduct) {
        if (product >= _exposure.marginProducts) revert MarginProductNotListed(product);
        return IMarginProduct(_marginProducts[product]);
    }

    /// @dev Keep `account`'s product mask in step with whether it holds positions in `product`.
    function _setProductHeld(address account, uint256 product, bool holds) internal {
        uint8 bit = uint8(1 << product);
        uint8 held = _accounts[account].products;
        uint8 next = holds ? held | bit : held & ~bit;
        if (next != held) _accounts[account].products = next;
    }

    // ---------------------------------------------------------------- storage access

    // Element access without the bounds check (which reads the array's length from storage), for indexes known to be
    // in range: a market checked by `_listedMarket`, a bit of an account's market mask (set only for a listed market,
    // and nothing is ever delisted), or below `_markets.length`. `_marketStates` grows with `_markets`. MarketParams
    // and MarketState are three slots each.

    function _market(uint256 market) internal pure returns (MarketParams storage p) {
        assembly ("memory-safe") {
            mstore(0x00, _markets.slot)
            p.slot := add(keccak256(0x00, 0x20), mul(market, 3))
        }
    }

    function _marketStateRef(uint256 market) internal pure returns (AccountMath.MarketState storage s) {
        assembly ("memory-safe") {
            mstore(0x00, _marketStates.slot)
            s.slot := add(keccak256(0x00, 0x20), mul(market, 3))
        }
    }

    function _storeMarketState(uint256 market, AccountMath.MarketState memory s) internal {
        AccountMath.MarketState storage ref = _marketStateRef(market);
        (ref.longSize, ref.shortSize) = (s.longSize, s.shortSize);
        (ref.longEntryNotional, ref.shortEntryNotional) = (s.longEntryNotional, s.shortEntryNotional);
        (ref.feeBase, ref.feeScaled) = (s.feeBase, s.feeScaled);
    }

    // ---------------------------------------------------------------- collateral seized in a liquidation

    /// @dev The prices of an account's collateral assets, as one health computation read them, and the borrow index:
    /// a market on an asset the account also holds reuses them instead of reading the oracle again (between the reads
    /// nothing but views runs, so the second read would return the same, or revert the same way), and so do a
    /// liquidation's close and charge after it. `ok`: bit k when asset k's status is Ok, the one status
    /// the AddRisk policy accepts; `addRisk`: the markets' prices must pass that policy.
    struct HealthPrices {
        address[MAX_COLLATERAL_PER_ACCOUNT] assets;
        uint256[MAX_COLLATERAL_PER_ACCOUNT] low;
        uint256[MAX_COLLATERAL_PER_ACCOUNT] high;
        uint256 count;
        uint256 ok;
        bool addRisk;
        uint256 index;
    }

    /// @dev Take `units` of settlement value from `account`'s collateral for `to`; returns the units it came to (all of
    /// them unless the collateral ran out).
    function _chargeCollateral(
        address account,
        uint256 units,
        address to,
        PriceRange.Range memory settlement,
        HealthPrices memory prices
    ) internal returns (uint256) {
        uint256 usd = settlement.usdDown(units, _settlementDecimals);
        uint256 moved = _seize(account, usd, true, to, prices);
        return moved == usd ? units : settlement.unitsDown(moved, _settlementDecimals);
    }

    /// @dev Move collateral of `account` worth `valueUsd` (all of it for type(uint256).max), valued at the upper
    /// (`upper`) or lower liquidation price of each asset, to `to`, in listing order; the Pool books what it receives
    /// as reserves. Returns the USD moved at those prices (what the Pool booked, for the Pool), rounded down. The last
    /// asset touched gives at most one unit more than `valueUsd` needs (its amount rounds up).
    /// `prices`: the liquidation's prices already read (each asset read here once otherwise).
    function _seize(address account, uint256 valueUsd, bool upper, address to, HealthPrices memory prices)
        internal
        returns (uint256 movedUsd)
    {
        uint16 mask = _accounts[account].collateral;
        bool all = valueUsd == type(uint256).max;
        for (uint256 i = 0; mask != 0 && movedUsd < valueUsd; ++i) {
            if (mask & 1 != 0) {
                uint256 moved =
                    _seizeAsset(account, i, all ? type(uint256).max : valueUsd - movedUsd, upper, to, prices);
                movedUsd = all || valueUsd - movedUsd >= moved ? movedUsd + moved : valueUsd;
            }
            mask >>= 1;
        }
    }

    /// @dev `_seize` for the collateral asset at listing position `i`: up to `valueUsd` of it (all for the maximum).
    function _seizeAsset(
        address account,
        uint256 i,
        uint256 valueUsd,
        bool upper,
        address to,
        HealthPrices memory prices
    ) internal returns (uint256 movedUsd) {
        address asset = _collateralAt(i);
        uint256 price;
        {
            (uint256 low, uint256 high) = _healthPrice(prices, asset, true);
            price = upper ? high : low;
        }
        uint8 decimals = _collateral[asset].decimals;
        uint256 balance = _balances[account][asset];
        uint256 amount = valueUsd == type(uint256).max ? balance : valueUsd.toAmountUp(price, decimals);
        if (amount >= balance) {
            amount = balance;
            _accounts[account].collateral &= ~uint16(1 << i);
        }
        _balances[account][asset] = balance - amount;
        emit CollateralSeized(account, asset, amount, to);
        if (to == address(_pool)) {
            _totalCollateral[asset] -= amount;
            amount = _pool.absorb(asset, amount, 0);
        } else {
            // A keeper's reward: it stays in the engine, as the keeper's collateral. Past the deposit's check of the
            // assets per account, yet within it: collateral is a Pool asset, and the Pool lists at most 8 with the
            // settlement asset.
            _accounts[to].collateral |= uint16(1 << i);
            _balances[to][asset] += amount;
            emit CollateralDeposited(to, asset, amount, account);
        }
        movedUsd = amount.toValueDown(price, decimals);
    }

    function _healthPrice(HealthPrices memory prices, address asset, bool enforce)
        internal
        view
        returns (uint256 low, uint256 high)
    {
        uint256 n = prices.count;
        for (uint256 k = 0; k < n; ++k) {
            // Under AddRisk a collateral price that is not Ok is not reused: the oracle's read below reverts for it.
            if (prices.assets[k] == asset && (!prices.addRisk || prices.ok & (1 << k) != 0)) {
                return (prices.low[k], prices.high[k]);
            }
        }
        if (prices.addRisk) return _oracle.priceBounds(asset, IOracleAggregator.Action.AddRisk);
        return _healthRange(asset, enforce);
    }

    /// @dev Prices for a health computation; a liquidation needs every involved price Ok or Deviated.
    function _healthRange(address asset, bool enforce) internal view returns (uint256 low, uint256 high) {
        if (enforce) return _oracle.priceBounds(asset, IOracleAggregator.Action.Liquidate);
        return _range(asset);
    }

    /// @dev Element access without the bounds check (which reads the array's length from storage), for an index known
    /// to be in range: a bit of an account's collateral mask (set only for a listed asset, and nothing is ever
    /// delisted).
    function _collateralAt(uint256 i) internal view returns (address asset) {
        uint256 slot;
        assembly ("memory-safe") {
            mstore(0x00, _collateralList.slot)
            slot := add(keccak256(0x00, 0x20), i)
            asset := sload(slot)
        }
    }

    function _abs(int256 x) internal pure returns (uint256) {
        return x < 0 ? uint256(-x) : uint256(x);
    }

    function _popcount(uint16 mask) internal pure returns (uint256 n) {
        for (; mask != 0; mask &= mask - 1) {
            ++n;
        }
    }
}
