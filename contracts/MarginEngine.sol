// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IMarginEngineAdmin, IMarginEngineCore} from "../interfaces/IMarginEngine.sol";
import {IMarginProduct} from "../interfaces/IMarginProduct.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {ITraderBook} from "../interfaces/ITraderBook.sol";
import {MarginEngineBooks} from "./base/MarginEngineBooks.sol";
import {MarginEngineStorage} from "./base/MarginEngineStorage.sol";
import {ProtocolGuarded} from "./base/ProtocolGuarded.sol";
import {AccountMath} from "./libraries/AccountMath.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {LiquidationMath} from "./libraries/LiquidationMath.sol";
import {MarginEngineExtension} from "./MarginEngineExtension.sol";
import {MarginEngineGovernance} from "./MarginEngineGovernance.sol";
import {PriceRange} from "./libraries/PriceRange.sol";
import {TokenTransfers} from "./libraries/TokenTransfers.sol";

/// @title MarginEngine
/// @notice Cross-margined perpetual accounts on multi-asset collateral; the Pool is the counterparty. This contract
/// holds the hot paths (trading, collateral, health, the Liquidator's entry points); book-keeping views, margin-product
/// trades and auto-deleveraging live in a MarginEngineExtension it delegates every other selector to (the pattern of
/// Compound III's CometExt), and governance in a MarginEngineGovernance the extension delegates to in turn, which
/// keeps each under the EIP-170 code size limit. `IMarginEngine` is the whole API at this address.
contract MarginEngine is MarginEngineBooks, ProtocolGuarded, IMarginEngineCore {
    using FixedPointMath for uint256;
    using SafeERC20 for IERC20;
    using PriceRange for PriceRange.Range;

    /// @dev Largest size change one call may ask for (sizes are 18-decimal amounts; caps are far below).
    int256 private constant MAX_SIZE_DELTA = type(int128).max;

    /// @notice The extension serving `IMarginEngineAdmin` on this contract's storage.
    address public immutable extension;

    /// @param w Wiring and roles.
    /// @param extension_ The extension, deployed just before with the same wiring and this engine's address (its
    /// creation code and the engine's would not fit in one creation transaction: EIP-3860 caps it at 48 KiB).
    /// @param insuranceFeeShareBps_ Share of trading fees sent to the InsuranceFund.
    /// @param adlThresholdBps Auto-deleveraging starts when traders' net PnL exceeds this share of pool value...
    /// @param adlTargetBps ...and brings it back to this share.
    constructor(
        Wiring memory w,
        MarginEngineExtension extension_,
        uint256 insuranceFeeShareBps_,
        uint256 adlThresholdBps,
        uint256 adlTargetBps
    ) MarginEngineStorage(w) ProtocolGuarded(w.lock) {
        if (extension_.engine() != address(this)) {
            revert ExtensionMismatch(address(extension_), extension_.engine());
        }
        extension = address(extension_);
        Address.functionDelegateCall(
            extension,
            abi.encodeCall(MarginEngineGovernance.initialize, (w, insuranceFeeShareBps_, adlThresholdBps, adlTargetBps))
        );
        IERC20(_settlementAsset).forceApprove(address(w.pool), type(uint256).max);
        IERC20(_settlementAsset).forceApprove(w.insuranceFund, type(uint256).max);
    }

    /// @notice Every selector this contract does not implement runs in the extension, on this contract's storage.
    fallback(bytes calldata data) external returns (bytes memory) {
        return Address.functionDelegateCall(extension, data);
    }

    modifier onlyLiquidator() {
        if (msg.sender != _liquidator) revert Unauthorized(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- trader actions

    /// @inheritdoc IMarginEngineCore
    function deposit(address asset, uint256 amount, address account) external guarded {
        if (amount == 0) revert ZeroAmount();
        if (account == address(0)) revert ZeroAddress(); // nobody could ever withdraw it
        if (asset == _settlementAsset) {
            _addCash(account, TokenTransfers.pullFromSender(asset, amount), "deposit");
            return;
        }
        CollateralSlot memory c = _listedCollateral(asset);
        AccountSlot storage m = _accounts[account];
        uint16 bit = uint16(1 << (c.position - 1));
        if (m.collateral & bit == 0) {
            // Strangers may top up what an account holds, never add assets to its list.
            if (msg.sender != account) revert NotAccountOwner(account, msg.sender);
            if (_popcount(m.collateral) == MAX_COLLATERAL_PER_ACCOUNT) {
                revert TooManyCollateralAssets(account, MAX_COLLATERAL_PER_ACCOUNT);
            }
            m.collateral = m.collateral | bit;
        }
        uint256 received = TokenTransfers.pullFromSender(asset, amount);
        uint256 total = _totalCollateral[asset] + received;
        if (total > c.supplyCap) revert SupplyCapExceeded(asset, total, c.supplyCap);
        _totalCollateral[asset] = total;
        _balances[account][asset] += received;
        emit CollateralDeposited(account, asset, received, msg.sender);
    }

    /// @inheritdoc IMarginEngineCore
    function modifyPosition(uint256 market, int256 sizeDelta, uint256 acceptablePrice) external guarded {
        if (sizeDelta == 0) revert ZeroAmount();
        // Sizes are 18-decimal amounts far below 2^127; beyond that `before + sizeDelta` could overflow.
        if (sizeDelta > MAX_SIZE_DELTA || sizeDelta < -MAX_SIZE_DELTA) {
            revert SizeOutOfRange(sizeDelta, MAX_SIZE_DELTA);
        }
        MarketParams memory p = _listedMarket(market);
        address account = msg.sender;
        int256 before = _position(account, market).size;
        int256 next = before + sizeDelta;
        bool addsRisk = _abs(next) > _abs(before) || (before != 0 && next != 0 && (before > 0) != (next > 0));
        if (addsRisk && _config.newRiskPaused) revert NewRiskPaused();

        uint256 price = _executionPrice(p.asset, sizeDelta > 0, addsRisk);
        if (sizeDelta > 0 ? price > acceptablePrice : price < acceptablePrice) {
            revert SlippageExceeded(price, acceptablePrice);
        }
        uint256 minSize = p.minSize;
        if (next != 0 && _abs(next) < minSize) revert PositionTooSmall(market, _abs(next), minSize);

        // One settlement price read serves the trade's PnL and fee and, for new risk, the initial-margin check: under
        // the AddRisk policy then (the same median and TWAP), so that a reduction never depends on it.
        PriceRange.Range memory settlement = addsRisk ? _addRiskRange(_settlementAsset) : _settlementRange();
        (int256 realized, uint256 fee) = _trade(account, market, p, sizeDelta, price, settlement, addsRisk);
        emit PositionModified(account, market, sizeDelta, next, price, realized, fee);

        if (addsRisk) {
            _requireInitialMargin(account, settlement);
            _pool.checkUtilization();
        } else if (next != 0) {
            // A partial reduce must leave the account healthy; a full close always goes through.
            Health memory h = _health(account, false, _unread());
            if (h.liquidatable) revert BelowMaintenance(h.maintenanceEquity, h.maintenanceMargin);
        }
        // New risk counts against the debt ceilings of isolated collateral; a reduction frees what it used.
        if (_config.isolatedCollateral != 0) IMarginEngineAdmin(address(this)).recordIsolatedDebt(account, addsRisk);
    }

    /// @inheritdoc IMarginEngineCore
    function checkInitialMargin(address account) external view {
        _requireInitialMargin(account, _addRiskRange(_settlementAsset));
    }

    // ---------------------------------------------------------------- liquidator entry points

    /// @inheritdoc IMarginEngineCore
    function liquidateAccount(address account, address keeper, ILiquidator.Params calldata params)
        external
        onlyLiquidator
        returns (Liquidation memory l)
    {
        // One health read at the Liquidate policy; its prices, borrow index and settlement range serve the close and
        // the charge (nothing between them can move a price: no code of the keeper's runs in a liquidation).
        HealthPrices memory prices;
        Health memory h = _health(account, true, l.settlement, prices);
        (l.equity, l.margin) = (h.maintenanceEquity, h.maintenanceMargin);
        if (!h.liquidatable) return l;
        l.liquidatable = true;
        if (l.margin == 0) return l; // no position: the Liquidator absorbs
        ILiquidator.Params memory p = params;
        uint256 bps = LiquidationMath.penaltyBps(l.equity, l.margin, p);
        l.fractionBps = LiquidationMath.closeFraction(l.equity, l.margin, p);
        Closed memory t = _closeAll(account, l.fractionBps, l.equity, l.settlement, prices);
        (l.closedNotional, l.equity, l.margin) = (t.notional, t.equity, t.margin);
        LiquidationMath.Charge memory c =
            LiquidationMath.penaltyOf(t.notional.mulBpsUp(bps), t.equity, p, l.settlement, _settlementDecimals);
        if (c.penalty != 0) {
            uint256 share;
            (l.keeperReward, share) =
                _chargePenalty(account, keeper, c.reward, c.penalty - c.reward, l.settlement, prices, t);
            l.penalty = l.keeperReward + share;
        }
        // One booking with the Pool for the liquidation (unless a profit came between): the close's losses and the
        // fund's share the account's credit did not pay, from what credit the charge left, the rest as its debt.
        _bookOwed(account, t);
    }

    /// @dev Close `fractionBps` of every position of `account`; returns the notional closed, the maintenance equity
    /// and margin after the close (as `liquidationHealth` would return them once the losses are booked), and the
    /// losses the close realized, in settlement units, for the caller to book with the Pool (a profit is paid when it
    /// is realized: `_realizeInClose`).
    /// The close changes only the account's positions and cash; its collateral's part of the maintenance equity stays
    /// as the health read computed it, at the same prices and borrow index (`prices`). So the parts the close changes
    /// are taken out at those prices and put back after it, its cash with the losses paid as `_payFromCash` pays them:
    /// exactly the health read's sum.
    function _closeAll(
        address account,
        uint256 fractionBps,
        int256 equityBefore,
        PriceRange.Range memory settlement,
        HealthPrices memory prices
    ) private returns (Closed memory t) {
        _clearProvision(account);
        t.equity = equityBefore - _cashMaintenance(account, 0, prices.index, settlement);
        uint16 mask = _accounts[account].markets;
        for (uint256 market = 0; mask != 0; ++market) {
            if (mask & 1 != 0) _closeForLiquidation(account, market, fractionBps, settlement, prices, t);
            mask >>= 1;
        }
        uint8 products = _accounts[account].products;
        for (uint256 product = 0; products != 0; ++product) {
            if (products & 1 != 0) _closeProductForLiquidation(account, product, fractionBps, settlement, t);
            products >>= 1;
        }
        if (!t.inKind) {
            t.equity += _cashMaintenance(account, t.owed, prices.index, settlement);
            return t;
        }
        // A profit paid in kind added collateral the health read did not value: with the losses booked, the health
        // is read again (at the same prices: nothing in the transaction has moved one).
        _bookOwed(account, t);
        Health memory h = _health(account, true, _unread());
        (t.equity, t.margin) = (h.maintenanceEquity, h.maintenanceMargin);
    }

    /// @dev A PnL the close realized: a loss adds to `t.owed` (booked with the Pool once, after the penalty); a profit
    /// is paid now, once the losses owed so far are booked, so that their part paid from credit is in the Pool's
    /// settlement reserve before the profit is paid out of it (as booking each PnL in turn has it).
    function _realizeInClose(address account, int256 realized, PriceRange.Range memory settlement, Closed memory t)
        private
    {
        if (realized < 0) {
            t.owed += settlement.unitsUp(uint256(-realized), _settlementDecimals);
        } else if (realized > 0) {
            _bookOwed(account, t);
            if (_payProfit(account, uint256(realized), settlement)) t.inKind = true;
        }
    }

    /// @dev Book what the liquidation owes the Pool so far (`t.owed`, settlement units) from `account`'s cash: from
    /// credit first, the rest as its debt.
    function _bookOwed(address account, Closed memory t) private {
        if (t.owed == 0) return;
        _payFromCash(account, t.owed, address(_pool), "liquidation");
        t.owed = 0;
    }

    /// @dev Close `fractionBps` of `account`'s positions in margin product `product`, paying any profit it realizes;
    /// adds to `t` the notional closed, the change of the product's part of the maintenance equity and its maintenance
    /// margin after the close (both at the liquidation prices, as `liquidationHealth` reads them), and the loss it
    /// realized in settlement units.
    function _closeProductForLiquidation(
        address account,
        uint256 product,
        uint256 fractionBps,
        PriceRange.Range memory settlement,
        Closed memory t
    ) private {
        IMarginProduct book = _marginProduct(product);
        t.equity -= book.accountRisk(account, true).maintenanceValue;
        (uint256 closed, int256 cashUsd, bool holds) = book.closeForLiquidation(account, fractionBps);
        _setProductHeld(account, product, holds);
        _realizeInClose(account, cashUsd, settlement, t);
        t.notional += closed;
        emit ProductLiquidated(account, product, closed, cashUsd, holds);
        if (holds) {
            IMarginProduct.AccountRisk memory r = book.accountRisk(account, true);
            t.equity += r.maintenanceValue;
            t.margin += r.maintenanceMargin == 0 ? 1 : r.maintenanceMargin;
        }
    }

    /// @dev Close `fractionBps` of `account`'s position in `market`; adds to `t` the notional closed, the change of
    /// the position's part of the maintenance equity, its maintenance margin after the close and the loss it realized
    /// in settlement units.
    function _closeForLiquidation(
        address account,
        uint256 market,
        uint256 fractionBps,
        PriceRange.Range memory settlement,
        HealthPrices memory prices,
        Closed memory t
    ) private {
        Position memory pos = _position(account, market);
        (int256 delta, uint256 price, uint256 mmf) = _liquidationDelta(market, pos.size, fractionBps, prices);
        // The position's part of the maintenance equity before the close.
        (int256 before,) = AccountMath.maintenanceOf(pos.size, pos.entryPrice, pos.entryIndex, 0, prices.index, price);
        int256 sizeAfter = _liquidationTrade(account, market, pos, delta, price, prices.index, settlement, t);
        t.notional += _abs(delta).mulWadUp(price);
        // A liquidation only reduces: what is left keeps its entry, and its borrow fee starts now (none owed).
        (int256 afterClose, uint256 margin) =
            AccountMath.maintenanceOf(sizeAfter, pos.entryPrice, prices.index, mmf, prices.index, price);
        t.equity += afterClose - before;
        t.margin += margin;
    }

    /// @dev A liquidation's trade of position `pos`: `delta` at `price` and borrow index `index`, no fee, a profit paid
    /// at the settlement range `settlement`, a loss added to `t.owed` in settlement units. Returns the size after.
    function _liquidationTrade(
        address account,
        uint256 market,
        Position memory pos,
        int256 delta,
        uint256 price,
        uint256 index,
        PriceRange.Range memory settlement,
        Closed memory t
    ) private returns (int256 sizeAfter) {
        int256 realized;
        (realized, sizeAfter,) = _tradeWithoutFee(account, market, pos, delta, price, index);
        _realizeInClose(account, realized, settlement, t);
        emit PositionModified(account, market, delta, sizeAfter, price, realized, 0);
    }

    /// @dev The size change of a liquidation's close of a position of `size` in `market`, its price and the market's
    /// maintenance fraction.
    function _liquidationDelta(uint256 market, int256 size, uint256 fractionBps, HealthPrices memory prices)
        private
        view
        returns (int256 delta, uint256 price, uint256 mmf)
    {
        MarketParams storage p = _market(market);
        delta = -size * int256(fractionBps) / int256(FixedPointMath.BPS);
        if (delta == 0 || _abs(size + delta) < p.minSize) delta = -size; // never leave dust
        // Closing a long sells: the better price for the account is the higher one, and vice versa (the oracle's
        // `priceForLiquidation`). It is also the price the health of the liquidation valued the position at.
        (uint256 low, uint256 high) = _healthPrice(prices, p.asset, true);
        price = size > 0 ? high : low;
        mmf = _maintenanceMargin(market, p.maintenanceMarginBps);
    }

    /// @dev Charge a penalty of `keeperReward + insuranceShare` settlement units to `account` (see
    /// `liquidateAccount`), after the close's losses `t.owed`, which come first out of its credit and are not booked
    /// yet; returns what the keeper and the fund got. The fund's part the credit does not pay is added to `t.owed`,
    /// which the caller books with the Pool.
    function _chargePenalty(
        address account,
        address keeper,
        uint256 keeperReward,
        uint256 insuranceShare,
        PriceRange.Range memory settlement,
        HealthPrices memory prices,
        Closed memory t
    ) private returns (uint256 rewardPaid, uint256 sharePaid) {
        // From the credit the losses leave (never a Pool loan: a liquidation needs no one else's liquidity), the
        // keeper before the fund.
        uint256 credit = _accounts[account].credit;
        credit = credit > t.owed ? credit - t.owed : 0;
        uint256 fromCredit = keeperReward + insuranceShare < credit ? keeperReward + insuranceShare : credit;
        if (fromCredit != 0) {
            _payFromCash(account, fromCredit, address(this), "penalty");
            rewardPaid = keeperReward < fromCredit ? keeperReward : fromCredit;
            sharePaid = fromCredit - rewardPaid;
            // The keeper is paid in its own engine account (credit here, collateral below): no token moves, so no
            // code of the keeper runs inside a liquidation. It withdraws when it likes.
            if (rewardPaid != 0) _addCash(keeper, rewardPaid, "keeper reward");
            if (sharePaid != 0) IInsuranceFund(_insuranceFund).fund(sharePaid, "penalty");
        }
        // The keeper's rest in collateral at the upper liquidation price (the fewer units), credited to its account;
        // the fund's rest is owed to the Pool as the account's debt, a receivable (the fund holds the settlement asset
        // only; LPs are the next layer of the waterfall). No token leaves the Pool for either.
        if (keeperReward > rewardPaid) {
            rewardPaid += _chargeCollateral(account, keeperReward - rewardPaid, keeper, settlement, prices);
        }
        t.owed += insuranceShare - sharePaid;
        sharePaid = insuranceShare;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMarginEngineCore
    function health(address account) external view returns (Health memory) {
        return _health(account, false, _unread());
    }

    /// @inheritdoc IMarginEngineCore
    function liquidationHealth(address account) external view returns (Health memory) {
        return _health(account, true, _unread());
    }

    /// @inheritdoc ITraderBook
    function poolExposure(bool enforceRiskStatus)
        external
        view
        returns (int256 pnlLow, int256 pnlHigh, uint256 reservedUsd, uint256 provisionUsd)
    {
        ExposureSlot memory e = _exposure;
        (pnlLow, pnlHigh, reservedUsd) = _poolExposure(enforceRiskStatus, e.marginProducts);
        provisionUsd = e.totalProvision;
    }

    // ---------------------------------------------------------------- internals: health

    /// @dev A liquidation's close, summed over the account's positions: the notional closed, the maintenance equity
    /// and margin after it, and the losses it realized (settlement units) not booked yet, which the liquidation books
    /// with the Pool once, after the penalty (or before a profit it pays); `inKind`: a profit was paid partly in the
    /// Pool's other assets.
    struct Closed {
        uint256 notional;
        int256 equity;
        uint256 margin;
        uint256 owed;
        bool inKind;
    }

    /// @dev `settlement`: `_unread()` for a plain health (read here), or, for the initial-margin check, the settlement
    /// range just read under the AddRisk policy; every market's price is then read under that policy too.
    function _health(address account, bool enforce, PriceRange.Range memory settlement)
        private
        view
        returns (Health memory)
    {
        HealthPrices memory prices;
        return _health(account, enforce, settlement, prices);
    }

    /// @dev `_health`, keeping what it read: `prices` (empty when given) and, unread when given, `settlement`.
    function _health(address account, bool enforce, PriceRange.Range memory settlement, HealthPrices memory prices)
        private
        view
        returns (Health memory h)
    {
        AccountMath.Totals memory t;
        prices.addRisk = settlement.high != 0;
        uint256 index = _pool.borrowIndex();
        prices.index = index;
        uint16 mask = _accounts[account].collateral;
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) _addCollateral(t, prices, account, _collateralAt(i), enforce);
            mask >>= 1;
        }
        mask = _accounts[account].markets;
        for (uint256 market = 0; mask != 0; ++market) {
            if (mask & 1 != 0) _addPosition(t, prices, account, market, index, enforce);
            mask >>= 1;
        }
        uint8 products = _accounts[account].products;
        for (uint256 product = 0; products != 0; ++product) {
            if (products & 1 != 0) _addProductRisk(t, account, product, enforce);
            products >>= 1;
        }
        AccountSlot storage c = _accounts[account];
        if (settlement.high == 0) (settlement.low, settlement.high) = _healthRange(_settlementAsset, enforce);
        h = AccountMath.finish(
            t, c.credit, uint256(c.scaledDebt).mulWadUp(index), _settlementDecimals, settlement.low, settlement.high
        );
    }

    function _addCollateral(
        AccountMath.Totals memory t,
        HealthPrices memory prices,
        address account,
        address asset,
        bool enforce
    ) private view {
        CollateralSlot memory cs = _collateral[asset];
        (uint256 low, uint256 high, bool checkable) = _collateralRange(asset, enforce);
        uint256 n = prices.count;
        (prices.assets[n], prices.low[n], prices.high[n], prices.count) = (asset, low, high, n + 1);
        if (checkable) prices.ok |= 1 << n;
        AccountMath.addCollateral(
            t,
            _balances[account][asset],
            cs.decimals,
            checkable ? low : 0,
            high,
            cs.initialHaircutBps,
            _maintHaircut(asset, cs),
            cs.stressShockBps
        );
    }

    function _addPosition(
        AccountMath.Totals memory t,
        HealthPrices memory prices,
        address account,
        uint256 market,
        uint256 index,
        bool enforce
    ) private view {
        // Only the first slot of the market's parameters (asset and fractions) is needed here.
        MarketParams storage p = _market(market);
        (address asset, uint256 imf, uint256 mmf, uint256 shock) =
            (p.asset, p.initialMarginBps, _maintenanceMargin(market, p.maintenanceMarginBps), p.stressShockBps);
        Position memory s = _position(account, market);
        (uint256 low, uint256 high) = _healthPrice(prices, asset, enforce);
        AccountMath.addPosition(
            t, AccountMath.PositionInput(s.size, s.entryPrice, s.entryIndex, imf, mmf, shock), index, low, high
        );
    }

    /// @dev A margin product's figures: an unrealized gain counts towards maintenance only, never initial equity; a
    /// held product margins at least 1 wei, so that the Liquidator closes it before it absorbs the account.
    function _addProductRisk(AccountMath.Totals memory t, address account, uint256 product, bool enforce) private view {
        IMarginProduct.AccountRisk memory r = _marginProduct(product).accountRisk(account, enforce);
        t.maintenance += r.maintenanceValue;
        t.maintenanceMargin += r.maintenanceMargin == 0 ? 1 : r.maintenanceMargin;
        if (r.initialValue < 0) t.initial += r.initialValue;
        t.initialMargin += r.initialMargin;
        t.stressLoss += r.stressLoss;
    }

    /// @dev `account`'s cash part of the maintenance equity at the settlement range `settlement`, once `owed`
    /// settlement units are paid from it to the Pool as `_payFromCash` pays them: from credit first, the rest borrowed
    /// at `index` (the scaled debt rounded up, as the Pool's `receiveLoss` rounds it).
    function _cashMaintenance(address account, uint256 owed, uint256 index, PriceRange.Range memory settlement)
        private
        view
        returns (int256)
    {
        AccountSlot storage c = _accounts[account];
        uint256 fromCredit = owed < c.credit ? owed : c.credit;
        uint256 debt = (c.scaledDebt + (owed - fromCredit).mulDivUp(FixedPointMath.WAD, index)).mulWadUp(index);
        return
            AccountMath.cashMaintenance(
                c.credit - fromCredit, debt, _settlementDecimals, settlement.low, settlement.high
            );
    }

    /// @dev `settlement`: the settlement asset's range under the AddRisk policy (`_addRiskRange`), read by the caller.
    function _requireInitialMargin(address account, PriceRange.Range memory settlement) private view {
        // New risk needs every price it rests on Ok (docs/design.md#oracle-policy): the settlement asset's (every
        // margin figure is in its units), each held market's and each held margin product's (a Stale or Deviated price
        // could hide a position's loss). Collateral that is not Ok counts nothing towards initial equity instead
        // (`_collateralRange`). The settlement range, read under that policy by the caller, values the cash in the
        // health below, which reads each market's price under the same policy (`_healthPrice`): one read per price.
        uint8 products = _accounts[account].products;
        for (uint256 product = 0; products != 0; ++product) {
            if (products & 1 != 0) _marginProduct(product).checkPrices(account, IOracleAggregator.Action.AddRisk);
            products >>= 1;
        }
        Health memory h = _health(account, false, settlement);
        if (h.initialEquity < int256(h.initialMargin) || h.stressEquity < 0) {
            revert InsufficientMargin(h.initialEquity, h.initialMargin, h.stressEquity);
        }
    }

    // ---------------------------------------------------------------- internals: trading

    function _executionPrice(address asset, bool buying, bool addsRisk) private view returns (uint256) {
        // A buyer pays the higher price, a seller gets the lower one (worse for the trader).
        return addsRisk ? _oracle.priceForRisk(asset, !buying) : _oracle.priceForReduce(asset, !buying);
    }

    /// @dev Apply a trade at `price`, realize PnL and borrow fees, charge the trading fee. A trade that adds risk must
    /// leave the side it grows (long for a buy, short for a sell) within that side's open-interest cap; a reduction is
    /// never checked, so that a cap lowered below the open interest winds the market down without trapping anyone.
    function _trade(
        address account,
        uint256 market,
        MarketParams memory p,
        int256 delta,
        uint256 price,
        PriceRange.Range memory settlement,
        bool addsRisk
    ) private returns (int256 realized, uint256 fee) {
        AccountMath.MarketState memory s;
        (realized,, s) =
            _tradeWithoutFee(account, market, _position(account, market), delta, price, _pool.borrowIndex());
        uint256 feeUsd = _abs(delta).mulWadUp(price).mulBpsUp(p.tradingFeeBps);
        _realize(account, realized, settlement);
        if (addsRisk) {
            (uint256 openInterest, uint256 cap) =
                delta > 0 ? (s.longSize, p.longOpenInterestCap) : (s.shortSize, p.shortOpenInterestCap);
            if (openInterest > cap) revert OpenInterestCapExceeded(market, openInterest, cap);
        }
        if (feeUsd != 0) {
            fee = settlement.unitsUp(feeUsd, _settlementDecimals);
            // The fund's share comes out of credit only; what credit cannot pay goes to the Pool as a receivable with
            // the rest of the fee (a fee never needs a Pool loan, so a close never depends on the Pool's cash).
            uint256 toInsurance = fee.mulBpsDown(_config.insuranceFeeShareBps);
            uint256 credit = _accounts[account].credit;
            if (toInsurance > credit) toInsurance = credit;
            if (toInsurance != 0) _payFromCash(account, toInsurance, _insuranceFund, "fee");
            if (fee > toInsurance) _payFromCash(account, fee - toInsurance, address(_pool), "fee");
        }
    }

    // ---------------------------------------------------------------- internals: cash

    // ---------------------------------------------------------------- internals: helpers

    /// @dev A collateral asset's prices for a health computation, and whether they back new risk. Outside a
    /// liquidation an asset whose status is not Ok (Deviated, Stale or Frozen) keeps its last prices for the
    /// maintenance figures, and the caller counts its lower price (initial and stress equity) as zero: nothing can be
    /// borrowed, opened or withdrawn against a price the policy does not accept for new risk
    /// (docs/design.md#oracle-policy). (A liquidation's price bounds revert for a Stale or Frozen asset.)
    function _collateralRange(address asset, bool enforce)
        private
        view
        returns (uint256 low, uint256 high, bool checkable)
    {
        if (enforce) {
            (low, high) = _oracle.priceBounds(asset, IOracleAggregator.Action.Liquidate);
            return (low, high, true);
        }
        IOracleAggregator.PriceData memory d = _oracle.getPriceData(asset);
        (low, high) = PriceRange.ordered(d.median, d.twap);
        checkable = d.status == IOracleAggregator.Status.Ok;
    }

    /// @dev `asset`'s range {median, TWAP} under the AddRisk policy (reverts PriceUnavailable unless Ok).
    function _addRiskRange(address asset) private view returns (PriceRange.Range memory r) {
        (r.low, r.high) = _oracle.priceBounds(asset, IOracleAggregator.Action.AddRisk);
    }

    /// @dev No settlement range read yet: `_health` reads it.
    function _unread() private pure returns (PriceRange.Range memory) {}
}
