// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {IPoolCore} from "../interfaces/IPool.sol";
import {IProtocolLockCore} from "../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../interfaces/ITraderBook.sol";
import {PoolStorage} from "./base/PoolStorage.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {PoolMath} from "./libraries/PoolMath.sol";
import {PriceRange} from "./libraries/PriceRange.sol";
import {TokenTransfers} from "./libraries/TokenTransfers.sol";
import {PoolExtension} from "./PoolExtension.sol";

/// @title Pool
/// @notice Multi-asset LP vault and counterparty of the traders of every product it serves (docs/design.md#products).
/// This contract holds the hot paths (LP actions, the products' entry points, the valuation views); governance, the
/// product registry and book-keeping views live in a PoolExtension it creates and delegates every other selector to,
/// as the MarginEngine does with its extension, which keeps both under the EIP-170 code size limit. `IPool` is the
/// whole API at this address. The Pool is also the protocol's shared reentrancy lock (`IProtocolLock`), held in its
/// transient storage: its own entry points take it without a call, the other members call `lock` and `unlock`.
contract Pool is PoolStorage, IPoolCore {
    using FixedPointMath for uint256;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @inheritdoc IPoolCore
    uint256 public constant VIRTUAL_SHARES = 1e18;
    /// @inheritdoc IPoolCore
    uint256 public constant VIRTUAL_VALUE = 1e18;

    /// @dev Prices of every pool asset and the valuation built from them.
    struct Valuation {
        uint256[] low;
        uint256[] high;
        uint256 reserveLow;
        uint256 reserveHigh;
        uint256 reserveMid;
        uint256 receivableLow;
        uint256 receivableHigh;
        int256 pnlLow;
        int256 pnlHigh;
        uint256 reserved;
        uint256 provision;
        uint256 callerReserved;
    }

    /// @notice The extension serving `IPoolAdmin` on this contract's storage.
    address public immutable extension;

    /// @param w Wiring and roles.
    /// @param model Rate model.
    /// @param maxUtilizationBps_ Utilization above which new risk and LP withdrawals revert.
    /// @param cooldown_ Seconds a deposit's shares stay locked.
    constructor(Wiring memory w, RateModel memory model, uint256 maxUtilizationBps_, uint256 cooldown_) PoolStorage(w) {
        extension = address(new PoolExtension(w));
        Address.functionDelegateCall(
            extension, abi.encodeCall(PoolExtension.initialize, (w, model, maxUtilizationBps_, cooldown_))
        );
    }

    /// @notice Every selector this contract does not implement runs in the extension, on this contract's storage.
    fallback(bytes calldata data) external returns (bytes memory) {
        return Address.functionDelegateCall(extension, data);
    }

    modifier onlyFrom(address allowed) {
        if (msg.sender != allowed) revert Unauthorized(msg.sender);
        _;
    }

    /// @dev Hold the shared lock for the duration of the call; any re-entry into any member reverts `Locked`.
    modifier guarded() {
        _take();
        _;
        _locked = false;
    }

    /// @dev A product.
    modifier onlyProduct() {
        if (!_isProduct(msg.sender)) revert Unauthorized(msg.sender);
        _;
    }

    /// @dev A product, or the Liquidator acting for the MarginEngine.
    modifier onlyProductOrLiquidator() {
        if (msg.sender != _liquidator && !_isProduct(msg.sender)) revert Unauthorized(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- shared lock

    /// @inheritdoc IProtocolLockCore
    function lock() external {
        if (!_isMember(msg.sender)) revert NotMember(msg.sender);
        _take();
    }

    /// @inheritdoc IProtocolLockCore
    function unlock() external {
        if (!_isMember(msg.sender)) revert NotMember(msg.sender);
        if (!_locked) revert NotLocked();
        _locked = false;
    }

    function _take() private {
        if (_locked) revert Locked();
        _locked = true;
    }

    // ---------------------------------------------------------------- LP actions

    /// @inheritdoc IPoolCore
    function deposit(address asset, uint256 amount, uint256 minShares, address receiver)
        external
        guarded
        returns (uint256 shares)
    {
        if (_config.depositsPaused) revert DepositsPaused();
        if (amount == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        _listed(asset);
        _accrue();
        uint256 received = TokenTransfers.pullFromSender(asset, amount);
        uint256 feeBps;
        uint256 value;
        (shares, feeBps, value) = _bookDeposit(asset, received);
        if (shares < minShares) revert SlippageExceeded(shares, minShares);
        _lock(receiver, shares);
        _mint(receiver, shares);
        emit Deposit(msg.sender, receiver, asset, received, feeBps, value, shares);
    }

    /// @dev Price `received` units of `asset` at its lower price against the upper NAV, take the weight fee, check
    /// the cap and the maximum weight, and book the reserve increase.
    function _bookDeposit(address asset, uint256 received)
        private
        returns (uint256 shares, uint256 feeBps, uint256 value)
    {
        AssetSlot memory a = _listed(asset);
        // Pricing the pool accepts a wound-down asset's fixed price; depositing one is new risk and is refused.
        Valuation memory v = _valuationPricing(true, asset);
        uint256 reserve = _reserves[asset];
        if (reserve + received > a.params.depositCap) {
            revert DepositCapExceeded(asset, reserve + received, a.params.depositCap);
        }
        uint256 weightAfter;
        (feeBps, weightAfter) = _weightFee(a, v, reserve, received, true);
        // An empty pool has no weights yet: its first deposit is 100 % of it whatever the maximum.
        if (v.reserveMid != 0 && weightAfter > a.params.maxWeightBps) {
            revert MaxWeightExceeded(asset, weightAfter, a.params.maxWeightBps);
        }

        uint256 gross = received.toValueDown(v.low[a.position - 1], a.decimals);
        value = gross - gross.mulBpsUp(feeBps);
        shares = PoolMath.toSharesDown(value, _navForShares(v, true), totalSupply(), VIRTUAL_SHARES, VIRTUAL_VALUE);
        if (shares == 0) revert ZeroAmount();
        _reserves[asset] = reserve + received;
        _refreshRate(v.reserveLow + gross, v);
    }

    /// @inheritdoc IPoolCore
    function withdraw(uint256 shares, address asset, uint256 minAmount, address receiver)
        external
        guarded
        returns (uint256 amount)
    {
        if (shares == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        uint256 held = balanceOf(msg.sender); // before pricing: an absurd share count must not overflow the price
        if (shares > held) revert ERC20InsufficientBalance(msg.sender, held, shares);
        _accrue();
        uint256 feeBps;
        (amount, feeBps) = _bookWithdrawal(shares, asset);
        if (amount < minAmount) revert SlippageExceeded(amount, minAmount);
        _burn(msg.sender, shares);
        IERC20(asset).safeTransfer(receiver, amount);
        emit Withdraw(msg.sender, receiver, asset, shares, feeBps, amount);
    }

    /// @dev Price `shares` in `asset` at the lower NAV and the asset's upper price, take the weight fee, check
    /// liquidity and utilization, and book the reserve decrease.
    function _bookWithdrawal(uint256 shares, address asset) private returns (uint256 amount, uint256 feeBps) {
        AssetSlot memory a = _listed(asset);
        Valuation memory v = _valuation(true);
        uint256 i = a.position - 1;
        uint256 value =
            PoolMath.toValueDown(shares, _navForShares(v, false), totalSupply(), VIRTUAL_SHARES, VIRTUAL_VALUE);
        uint256 gross = value.toAmountDown(v.high[i], a.decimals);
        uint256 reserve = _reserves[asset];
        if (gross > reserve) revert InsufficientLiquidity(asset, gross, reserve);
        (feeBps,) = _weightFee(a, v, reserve, gross, false);
        amount = gross - gross.mulBpsUp(feeBps);
        if (amount == 0) revert ZeroAmount();
        _reserves[asset] = reserve - amount;
        if (a.position == 1) _checkSettlementBacking(reserve - amount, v);
        uint256 reserveLowAfter = v.reserveLow - Math.min(amount.toValueUp(v.low[i], a.decimals), v.reserveLow);
        uint256 u = _utilization(v.reserved, v.receivableLow, reserveLowAfter);
        _checkUtilization(u);
        _refreshRate(reserveLowAfter, v);
    }

    /// @inheritdoc IPoolCore
    function poke() external guarded {
        _accrue();
        Valuation memory v = _valuation(false);
        _refreshRate(v.reserveLow, v);
    }

    // ---------------------------------------------------------------- protocol entry points

    /// @inheritdoc IPoolCore
    function payProfit(uint256 amount) external onlyProduct returns (uint256 paid) {
        uint256 reserve = _reserves[_settlementAsset];
        paid = amount < reserve ? amount : reserve;
        if (paid == 0) return 0;
        if (msg.sender != _marginEngine) {
            (, uint256 high) = _priceRange(_settlementAsset, false);
            _checkPayout(paid.toValueUp(high, _list[0].decimals));
        }
        _reserves[_settlementAsset] = reserve - paid;
        IERC20(_settlementAsset).safeTransfer(msg.sender, paid);
        emit ProfitPaid(msg.sender, paid);
    }

    /// @inheritdoc IPoolCore
    function payProfitInKind(address asset, uint256 valueUsd)
        external
        onlyProduct
        returns (uint256 amount, uint256 paidUsd)
    {
        AssetSlot memory a = _assets[asset];
        uint256 reserve = _reserves[asset];
        if (a.position <= 1 || reserve == 0 || valueUsd == 0) return (0, 0);
        if (msg.sender != _marginEngine) _checkPayout(valueUsd);
        IOracleAggregator.PriceData memory p = _oracle.getPriceData(asset);
        if (p.status != IOracleAggregator.Status.Ok && p.status != IOracleAggregator.Status.Deviated) return (0, 0);
        uint256 high = p.median > p.twap ? p.median : p.twap;
        // Rounded up to a whole unit so that a profit is paid in full (at most one unit of the asset over it).
        amount = valueUsd.toAmountUp(high, a.decimals);
        if (amount > reserve) amount = reserve;
        paidUsd = amount.toValueDown(high, a.decimals);
        _reserves[asset] = reserve - amount;
        IERC20(asset).safeTransfer(msg.sender, amount);
        emit ProfitPaidInKind(msg.sender, asset, amount, paidUsd);
    }

    /// @inheritdoc IPoolCore
    function receiveLoss(uint256 paid, uint256 borrowed) external onlyProductOrLiquidator returns (uint256 scaledDebt) {
        uint256 index = _accrue();
        if (paid != 0) _reserves[_settlementAsset] += TokenTransfers.pullFromSender(_settlementAsset, paid);
        if (borrowed != 0) {
            scaledDebt = borrowed.mulDivUp(FixedPointMath.WAD, index);
            _addDebt(scaledDebt);
        }
        emit LossReceived(paid, borrowed, scaledDebt);
    }

    /// @inheritdoc IPoolCore
    function lend(uint256 amount, address to) external onlyProduct returns (uint256 scaledDebt) {
        uint256 index = _accrue();
        uint256 reserve = _reserves[_settlementAsset];
        if (amount > reserve) revert InsufficientLiquidity(_settlementAsset, amount, reserve);
        _reserves[_settlementAsset] = reserve - amount;
        scaledDebt = amount.mulDivUp(FixedPointMath.WAD, index);
        _addDebt(scaledDebt);
        // A loan is new risk like a position: priced Ok, within the maximum utilization (the receivable it creates
        // counts in full) and the product's caps, and never out of the settlement cash reserved for payouts. Then the
        // rate follows.
        Valuation memory v = _valuation(true);
        _checkUtilization(_utilization(v.reserved, v.receivableLow, v.reserveLow));
        _checkSettlementBacking(reserve - amount, v);
        _checkProductCaps(v, index);
        _refreshRate(v.reserveLow, v);
        IERC20(_settlementAsset).safeTransfer(to, amount);
        emit Lent(to, amount, scaledDebt);
    }

    /// @inheritdoc IPoolCore
    function repay(uint256 scaledDebt) external onlyProductOrLiquidator returns (uint256 amount) {
        uint256 index = _accrue();
        _reduceDebt(scaledDebt);
        amount = scaledDebt.mulDivUp(index, FixedPointMath.WAD);
        uint256 received = TokenTransfers.pullFromSender(_settlementAsset, amount);
        if (received < amount) revert SlippageExceeded(received, amount);
        _reserves[_settlementAsset] += received;
        emit Repaid(msg.sender, received, scaledDebt);
    }

    /// @inheritdoc IPoolCore
    function absorb(address asset, uint256 amount, uint256 scaledDebt)
        external
        onlyProductOrLiquidator
        returns (uint256 received)
    {
        _listed(asset);
        _accrue();
        if (amount != 0) {
            received = TokenTransfers.pullFromSender(asset, amount);
            _reserves[asset] += received;
        }
        _reduceDebt(scaledDebt);
        emit CollateralAbsorbed(asset, received, scaledDebt);
    }

    /// @inheritdoc IPoolCore
    function socializeDeficit(uint256 scaledDebt) external onlyFrom(_liquidator) returns (uint256 amount) {
        uint256 index = _accrue();
        _reduceDebt(scaledDebt);
        amount = scaledDebt.mulDivUp(index, FixedPointMath.WAD);
        IOracleAggregator.PriceData memory p = _oracle.getPriceData(_settlementAsset);
        emit DeficitSocialized(amount, scaledDebt, amount.toValueUp(p.median, _list[0].decimals));
    }

    /// @inheritdoc IPoolCore
    function receiveInsuranceExcess(uint256 amount) external onlyFrom(_insuranceFund) {
        _reserves[_settlementAsset] += TokenTransfers.pullFromSender(_settlementAsset, amount);
        emit InsuranceExcessReceived(amount);
    }

    /// @inheritdoc IPoolCore
    function checkUtilization() external onlyProduct {
        uint256 index = _accrue();
        Valuation memory v = _valuation(false);
        _checkUtilization(_utilization(v.reserved, v.receivableLow, v.reserveLow));
        _checkSettlementBacking(_reserves[_settlementAsset], v);
        _checkProductCaps(v, index);
        _refreshRate(v.reserveLow, v);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPoolCore
    function reserves(address asset) external view returns (uint256) {
        return _reserves[asset];
    }

    /// @inheritdoc IPoolCore
    function nav(bool maximize) external view returns (int256) {
        Valuation memory v = _valuation(false);
        return _nav(v, maximize);
    }

    /// @inheritdoc IPoolCore
    function sharePrice(bool maximize) external view returns (uint256) {
        Valuation memory v = _valuation(false);
        return PoolMath.toValueDown(
            FixedPointMath.WAD, _navForShares(v, maximize), totalSupply(), VIRTUAL_SHARES, VIRTUAL_VALUE
        );
    }

    /// @inheritdoc IPoolCore
    function utilization() external view returns (uint256) {
        Valuation memory v = _valuation(false);
        return _utilization(v.reserved, v.receivableLow, v.reserveLow);
    }

    /// @inheritdoc IPoolCore
    function availableLiquidity(address asset) external view returns (uint256) {
        AssetSlot memory a = _listed(asset);
        Valuation memory v = _valuation(false);
        // Keep (reserved + receivables) / (reserveLow + receivables) <= maxUtilization after the withdrawal.
        uint256 needed = (v.reserved + v.receivableLow).mulDivUp(FixedPointMath.BPS, _config.maxUtilizationBps);
        uint256 backing = v.reserveLow + v.receivableLow;
        if (backing <= needed) return 0;
        uint256 available = (backing - needed).toAmountDown(v.low[a.position - 1], a.decimals);
        uint256 reserve = _reserves[asset];
        if (a.position == 1) {
            // The settlement reserve must keep backing the reserved payouts.
            uint256 backed = v.reserved.toAmountUp(v.low[0], a.decimals);
            uint256 free = reserve > backed ? reserve - backed : 0;
            if (free < available) available = free;
        }
        return available < reserve ? available : reserve;
    }

    /// @inheritdoc IPoolCore
    function borrowIndex() public view returns (uint256) {
        RateSlot memory r = _rate;
        return _grownIndex(r);
    }

    /// @inheritdoc IPoolCore
    function totalDebt() public view returns (uint256) {
        return uint256(_debt.total).mulDivDown(borrowIndex(), FixedPointMath.WAD);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Price every pool asset (policy-checked for LP actions when `enforce`), value reserves and receivables,
    /// and read traders' exposure.
    function _valuation(bool enforce) private view returns (Valuation memory v) {
        return _valuationPricing(enforce, address(0));
    }

    /// @dev `_valuation`, pricing `newRisk` (an asset being deposited) for new risk: a wound-down asset may value the
    /// pool, but is never taken in.
    function _valuationPricing(bool enforce, address newRisk) private view returns (Valuation memory v) {
        uint256 n = _list.length;
        v.low = new uint256[](n);
        v.high = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            ListEntry memory entry = _list[i];
            (uint256 low, uint256 high) = entry.token == newRisk
                ? _oracle.priceBounds(newRisk, IOracleAggregator.Action.AddRisk)
                : _priceRange(entry.token, enforce);
            (v.low[i], v.high[i]) = (low, high);
            uint256 reserve = _reserves[entry.token];
            if (reserve != 0) {
                uint8 decimals = entry.decimals;
                v.reserveLow += reserve.toValueDown(low, decimals);
                v.reserveHigh += reserve.toValueDown(high, decimals);
                v.reserveMid += reserve.toValueDown((low + high) / 2, decimals);
            }
        }
        RateSlot memory r = _rate;
        uint256 debt = uint256(_debt.total).mulDivDown(_grownIndex(r), FixedPointMath.WAD);
        if (debt != 0) {
            // The settlement asset is always listed first.
            uint8 decimals = _list[0].decimals;
            v.receivableLow = debt.toValueDown(v.low[0], decimals);
            v.receivableHigh = debt.toValueDown(v.high[0], decimals);
        }
        _readExposure(v, enforce, r.productCount);
    }

    /// @dev Sum every product's exposure into `v` (O(products)): the MarginEngine's (an immutable address), then each
    /// added product's (its address and caps in one slot). Notes the calling product's own reserved liquidity.
    function _readExposure(Valuation memory v, bool enforce, uint256 productCount) private view {
        (v.pnlLow, v.pnlHigh, v.reserved, v.provision) = ITraderBook(_marginEngine).poolExposure(enforce);
        if (msg.sender == _marginEngine) v.callerReserved = v.reserved;
        for (uint256 i = 1; i < productCount; ++i) {
            address book = _addedProducts[i - 1].book;
            (int256 pnlLow, int256 pnlHigh, uint256 reserved, uint256 provision) =
                ITraderBook(book).poolExposure(enforce);
            v.pnlLow += pnlLow;
            v.pnlHigh += pnlHigh;
            v.reserved += reserved;
            v.provision += provision;
            if (book == msg.sender) v.callerReserved = reserved;
        }
    }

    /// @dev Weight-aware fee for adding (`adding`) or removing `amount` of a pool asset holding `reserve`, with
    /// weights at mid prices; also returns the weight after the action.
    function _weightFee(AssetSlot memory a, Valuation memory v, uint256 reserve, uint256 amount, bool adding)
        private
        pure
        returns (uint256 feeBps, uint256 weightAfter)
    {
        uint256 mid = (v.low[a.position - 1] + v.high[a.position - 1]) / 2;
        uint256 before = reserve.toValueDown(mid, a.decimals);
        uint256 delta = amount.toValueDown(mid, a.decimals);
        weightAfter = adding
            ? PoolMath.weightBps(before + delta, v.reserveMid + delta)
            : PoolMath.weightBps(before - delta, v.reserveMid - delta);
        feeBps = PoolMath.weightFeeBps(PoolMath.weightBps(before, v.reserveMid), weightAfter, a.params);
    }

    function _priceRange(address asset, bool enforce) private view returns (uint256 low, uint256 high) {
        if (enforce) return _oracle.priceBounds(asset, IOracleAggregator.Action.Value);
        IOracleAggregator.PriceData memory d = _oracle.getPriceData(asset);
        return PriceRange.ordered(d.median, d.twap);
    }

    /// @dev NAV used to price shares: the upper NAV for deposits, the lower for withdrawals; reverts when not
    /// positive with the virtual value.
    function _navForShares(Valuation memory v, bool maximize) private pure returns (uint256) {
        int256 navValue = _nav(v, maximize);
        if (navValue + int256(VIRTUAL_VALUE) <= 0) revert PoolInsolvent(navValue);
        return navValue < 0 ? 0 : uint256(navValue);
    }

    /// @dev The upper NAV (deposits) and the lower NAV (withdrawals, which also provision the negative maintenance
    /// equity of accounts not yet liquidated).
    function _nav(Valuation memory v, bool maximize) private pure returns (int256) {
        return maximize
            ? int256(v.reserveHigh + v.receivableHigh) - v.pnlLow
            : int256(v.reserveLow + v.receivableLow) - v.pnlHigh - int256(v.provision);
    }

    function _utilization(uint256 reserved, uint256 receivable, uint256 reserveValue) private pure returns (uint256) {
        uint256 backing = reserveValue + receivable;
        if (backing == 0) return reserved + receivable == 0 ? 0 : FixedPointMath.WAD;
        return (reserved + receivable).mulDivUp(FixedPointMath.WAD, backing);
    }

    /// @dev Set the rate for the next period from utilization at `reserveLow`.
    function _refreshRate(uint256 reserveLow, Valuation memory v) private {
        uint256 u = _utilization(v.reserved, v.receivableLow, reserveLow);
        RateModel memory m = _config.rateModel;
        uint256 rate = PoolMath.ratePerSecond(u, m.baseRateBps, m.slope1Bps, m.kinkBps, m.slope2Bps);
        _rate.ratePerSecond = rate.toUint40();
        emit Accrued(_rate.index, rate, u);
    }

    /// @dev Profits and loans are paid in the settlement asset: its reserve must keep covering the liquidity
    /// reserved for open positions, whatever the other assets are worth.
    function _checkSettlementBacking(uint256 settlementReserve, Valuation memory v) private view {
        uint256 backing = settlementReserve.toValueDown(v.low[0], _list[0].decimals);
        if (backing < v.reserved) revert SettlementBackingShort(backing, v.reserved);
    }

    function _checkUtilization(uint256 u) private view {
        uint256 max = uint256(_config.maxUtilizationBps) * 1e14;
        if (u > max) revert UtilizationExceeded(u, max);
    }

    /// @dev The product whose debt the caller moves: the Liquidator acts for the MarginEngine.
    function _debtor() private view returns (address) {
        return msg.sender == _liquidator ? _marginEngine : msg.sender;
    }

    /// @dev Book `scaledDebt` more as debt owed through the caller's product.
    function _addDebt(uint256 scaledDebt) private {
        DebtSlot storage d = _debt;
        d.total = (d.total + scaledDebt).toUint128();
        address product = _debtor();
        if (product != _marginEngine) {
            _addedScaledDebt[product] += scaledDebt;
            d.ofAddedProducts += uint128(scaledDebt); // at most the total, which fits
        }
    }

    /// @dev Cancel `scaledDebt` of the debt owed through the caller's product, never another product's.
    function _reduceDebt(uint256 scaledDebt) private {
        DebtSlot storage d = _debt;
        address product = _debtor();
        if (product == _marginEngine) {
            uint256 total = d.total;
            uint256 owed = total - d.ofAddedProducts;
            if (scaledDebt > owed) revert DebtUnderflow(scaledDebt, owed);
            d.total = uint128(total - scaledDebt);
        } else {
            uint256 owed = _addedScaledDebt[product];
            if (scaledDebt > owed) revert DebtUnderflow(scaledDebt, owed);
            _addedScaledDebt[product] = owed - scaledDebt;
            (d.total, d.ofAddedProducts) = (d.total - uint128(scaledDebt), d.ofAddedProducts - uint128(scaledDebt));
        }
    }

    /// @dev After the calling product added risk: its used liquidity (reserved + receivable at the lower price, as
    /// utilization counts them) within its liquidity cap and its share of the backing. A product without caps (the
    /// MarginEngine, unless governance gave it some) is not checked: the utilization check before this one already
    /// keeps what all products use together within the backing.
    function _checkProductCaps(Valuation memory v, uint256 index) private view {
        ProductCaps memory caps = _capsOf(msg.sender);
        if (caps.maxLiquidityUsd == NO_LIQUIDITY_CAP && caps.maxBackingShareBps == FixedPointMath.BPS) return;
        uint256 receivable = _scaledDebtOf(msg.sender, _debt).mulDivDown(index, FixedPointMath.WAD);
        uint256 used = v.callerReserved + receivable.toValueDown(v.low[0], _list[0].decimals);
        uint256 cap = (v.reserveLow + v.receivableLow).mulBpsDown(caps.maxBackingShareBps);
        if (caps.maxLiquidityUsd != NO_LIQUIDITY_CAP) {
            uint256 capUsd = uint256(caps.maxLiquidityUsd) * FixedPointMath.WAD;
            if (capUsd < cap) cap = capUsd;
        }
        if (used > cap) revert ProductCapExceeded(msg.sender, used, cap);
    }

    /// @dev A product other than the MarginEngine is never paid at once more than it reports reserved for its positions
    /// (it asks before it takes the paid position off its books). No cap plays a part: a payout is owed money.
    function _checkPayout(uint256 valueUsd) private view {
        (,, uint256 reserved,) = ITraderBook(msg.sender).poolExposure(false);
        if (valueUsd > reserved) revert ProductPayoutExceeded(msg.sender, valueUsd, reserved);
    }

    /// @dev Lock freshly minted shares of `account` for the cooldown. Only the account itself may restart a running
    /// cooldown: a third party's deposit into an account whose shares are still locked reverts, so nobody can keep
    /// another LP's shares locked by depositing dust into its account.
    function _lock(address account, uint256 shares) private {
        uint256 period = _config.cooldown;
        if (period == 0) return;
        Lockup memory l = _lockups[account];
        if (msg.sender != account && l.unlocksAt > block.timestamp) {
            revert CooldownActive(account, l.shares, l.unlocksAt);
        }
        uint256 stillLocked = l.unlocksAt > block.timestamp ? l.shares : 0;
        _lockups[account] = Lockup((stillLocked + shares).toUint128(), uint64(block.timestamp + period));
    }

    /// @dev Locked shares can be neither burned nor transferred.
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) {
            Lockup memory l = _lockups[from];
            if (l.unlocksAt > block.timestamp && balanceOf(from) < uint256(l.shares) + value) {
                revert CooldownActive(from, l.shares, l.unlocksAt);
            }
        }
        super._update(from, to, value);
    }
}
