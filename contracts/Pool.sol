// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {IPool} from "../interfaces/IPool.sol";
import {IProtocolLock} from "../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../interfaces/ITraderBook.sol";
import {ProductRegistry} from "./base/ProductRegistry.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {PoolMath} from "./libraries/PoolMath.sol";
import {ParamBounds} from "./libraries/ParamBounds.sol";
import {PriceRange} from "./libraries/PriceRange.sol";
import {TokenTransfers} from "./libraries/TokenTransfers.sol";

/// @title Pool
/// @notice Multi-asset LP vault and counterparty of the traders of every product it serves (docs/design.md#products).
contract Pool is IPool, ERC20, ProductRegistry {
    using FixedPointMath for uint256;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    uint256 public constant MAX_ASSETS = 8;
    /// @notice Virtual shares and value: the share price starts at 1 USD and a near-empty pool cannot be skewed.
    uint256 public constant VIRTUAL_SHARES = 1e18;
    uint256 public constant VIRTUAL_VALUE = 1e18;
    uint256 public constant MAX_BASE_FEE_BPS = 100;
    uint256 public constant MAX_TAX_FEE_BPS = 200;
    uint256 public constant MAX_COOLDOWN = 2 days;
    uint256 public constant MIN_MAX_UTILIZATION_BPS = 1_000;
    uint256 public constant MAX_BASE_RATE_BPS = 10_000;
    uint256 public constant MAX_SLOPE1_BPS = 10_000;
    uint256 public constant MAX_SLOPE2_BPS = 20_000;
    uint256 public constant MIN_KINK_BPS = 500;
    uint256 public constant MAX_KINK_BPS = 9_500;

    /// @dev Index in `_list` plus one (0 = not listed), decimals and parameters: one slot.
    struct AssetSlot {
        uint8 position;
        uint8 decimals;
        AssetParams params;
    }

    /// @dev Borrow index, the rate until the next accrual and when it last accrued: one slot.
    /// @dev 176 bits of index last about twenty years at the highest rate the bounds allow (400 % a year).
    struct RateSlot {
        uint176 index;
        uint48 ratePerSecond;
        uint32 lastAccrual;
    }

    /// @dev A pool asset as the valuation loop reads it: one slot.
    struct ListEntry {
        address token;
        uint8 decimals;
    }

    /// @dev Every governed scalar an LP action or a risk check reads, in one slot: the product count the valuation loops
    /// to and the MarginEngine's caps among them (the other products' caps are in the registry).
    struct ConfigSlot {
        RateModel rateModel;
        uint16 maxUtilizationBps;
        uint32 cooldown;
        bool depositsPaused;
        uint8 productCount;
        uint16 engineMaxBackingShareBps;
        uint48 engineMaxLiquidityUsd;
    }

    /// @dev Traders' scaled debt: the total (the Pool's receivable) and the part owed through products other than the
    /// MarginEngine (each one's in `_addedScaledDebt`); the MarginEngine's is the rest. One slot.
    struct DebtSlot {
        uint128 total;
        uint128 ofAddedProducts;
    }

    struct Lockup {
        uint128 shares;
        uint64 unlocksAt;
    }

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

    IOracleAggregator public immutable oracle;
    address public immutable liquidator;
    address public immutable insuranceFund;
    /// @inheritdoc IPool
    address public immutable settlementAsset;

    ListEntry[] private _list;
    mapping(address asset => AssetSlot) private _assets;
    mapping(address asset => uint256) private _reserves;
    mapping(address account => Lockup) private _lockups;

    RateSlot private _rate;
    ConfigSlot private _config;
    DebtSlot private _debt;
    mapping(address product => uint256) private _addedScaledDebt;

    struct Wiring {
        IProtocolLock lock;
        IOracleAggregator oracle;
        address settlementAsset;
        address marginEngine;
        address liquidator;
        address insuranceFund;
        address admin;
        address riskManager;
        address guardian;
    }

    constructor(Wiring memory w, RateModel memory model, uint256 maxUtilizationBps_, uint256 cooldown_)
        ERC20("ballast LP", "BLP")
        ProductRegistry(w.marginEngine, w.lock)
    {
        if (w.settlementAsset == address(0) || w.marginEngine == address(0) || w.liquidator == address(0)) {
            revert ZeroAddress();
        }
        oracle = w.oracle;
        settlementAsset = w.settlementAsset;
        liquidator = w.liquidator;
        insuranceFund = w.insuranceFund;
        _grantRole(DEFAULT_ADMIN_ROLE, w.admin);
        _grantRole(RISK_MANAGER_ROLE, w.riskManager);
        _grantRole(GUARDIAN_ROLE, w.guardian);
        _setRateModel(model);
        _setMaxUtilization(maxUtilizationBps_);
        _setCooldown(cooldown_);
        _rate = RateSlot(uint176(FixedPointMath.WAD), 0, uint32(block.timestamp));
    }

    modifier onlyFrom(address allowed) {
        if (msg.sender != allowed) revert Unauthorized(msg.sender);
        _;
    }

    /// @dev A registered product.
    modifier onlyProduct() {
        _onlyProduct();
        _;
    }

    /// @dev A product, or the Liquidator acting for the MarginEngine.
    modifier onlyProductOrLiquidator() {
        if (msg.sender != liquidator) _onlyProduct();
        _;
    }

    // ---------------------------------------------------------------- LP actions

    /// @inheritdoc IPool
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

    /// @inheritdoc IPool
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

    /// @inheritdoc IPool
    function poke() external guarded {
        _accrue();
        Valuation memory v = _valuation(false);
        _refreshRate(v.reserveLow, v);
    }

    // ---------------------------------------------------------------- protocol entry points

    /// @inheritdoc IPool
    function payProfit(uint256 amount) external onlyProduct returns (uint256 paid) {
        uint256 reserve = _reserves[settlementAsset];
        paid = amount < reserve ? amount : reserve;
        if (paid == 0) return 0;
        if (msg.sender != marginEngine) {
            (, uint256 high) = _priceRange(settlementAsset, false);
            _checkPayout(paid.toValueUp(high, _list[0].decimals));
        }
        _reserves[settlementAsset] = reserve - paid;
        IERC20(settlementAsset).safeTransfer(msg.sender, paid);
        emit ProfitPaid(msg.sender, paid);
    }

    /// @inheritdoc IPool
    function payProfitInKind(address asset, uint256 valueUsd)
        external
        onlyProduct
        returns (uint256 amount, uint256 paidUsd)
    {
        AssetSlot memory a = _assets[asset];
        uint256 reserve = _reserves[asset];
        if (a.position <= 1 || reserve == 0 || valueUsd == 0) return (0, 0);
        if (msg.sender != marginEngine) _checkPayout(valueUsd);
        IOracleAggregator.PriceData memory p = oracle.getPriceData(asset);
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

    /// @inheritdoc IPool
    function receiveLoss(uint256 paid, uint256 borrowed) external onlyProductOrLiquidator returns (uint256 scaledDebt) {
        uint256 index = _accrue();
        if (paid != 0) _reserves[settlementAsset] += TokenTransfers.pullFromSender(settlementAsset, paid);
        if (borrowed != 0) {
            scaledDebt = borrowed.mulDivUp(FixedPointMath.WAD, index);
            _addDebt(scaledDebt);
        }
        emit LossReceived(paid, borrowed, scaledDebt);
    }

    /// @inheritdoc IPool
    function lend(uint256 amount, address to) external onlyProduct returns (uint256 scaledDebt) {
        uint256 index = _accrue();
        uint256 reserve = _reserves[settlementAsset];
        if (amount > reserve) revert InsufficientLiquidity(settlementAsset, amount, reserve);
        _reserves[settlementAsset] = reserve - amount;
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
        IERC20(settlementAsset).safeTransfer(to, amount);
        emit Lent(to, amount, scaledDebt);
    }

    /// @inheritdoc IPool
    function repay(uint256 scaledDebt) external onlyProductOrLiquidator returns (uint256 amount) {
        uint256 index = _accrue();
        _reduceDebt(scaledDebt);
        amount = scaledDebt.mulDivUp(index, FixedPointMath.WAD);
        uint256 received = TokenTransfers.pullFromSender(settlementAsset, amount);
        if (received < amount) revert SlippageExceeded(received, amount);
        _reserves[settlementAsset] += received;
        emit Repaid(msg.sender, received, scaledDebt);
    }

    /// @inheritdoc IPool
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

    /// @inheritdoc IPool
    function socializeDeficit(uint256 scaledDebt) external onlyFrom(liquidator) returns (uint256 amount) {
        uint256 index = _accrue();
        _reduceDebt(scaledDebt);
        amount = scaledDebt.mulDivUp(index, FixedPointMath.WAD);
        IOracleAggregator.PriceData memory p = oracle.getPriceData(settlementAsset);
        emit DeficitSocialized(amount, scaledDebt, amount.toValueUp(p.median, _list[0].decimals));
    }

    /// @inheritdoc IPool
    function receiveInsuranceExcess(uint256 amount) external onlyFrom(insuranceFund) {
        _reserves[settlementAsset] += TokenTransfers.pullFromSender(settlementAsset, amount);
        emit InsuranceExcessReceived(amount);
    }

    /// @inheritdoc IPool
    function checkUtilization() external onlyProduct {
        uint256 index = _accrue();
        Valuation memory v = _valuation(false);
        _checkUtilization(_utilization(v.reserved, v.receivableLow, v.reserveLow));
        _checkSettlementBacking(_reserves[settlementAsset], v);
        _checkProductCaps(v, index);
        _refreshRate(v.reserveLow, v);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IPool
    function listAsset(address asset, AssetParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_assets[asset].position != 0) revert AssetAlreadyListed(asset);
        if (_list.length == MAX_ASSETS) revert TooManyAssets(MAX_ASSETS);
        if (_list.length == 0 && asset != settlementAsset) revert SettlementAssetFirst(settlementAsset);
        _checkParams(params);
        oracle.getPriceData(asset); // reverts for an asset the oracle does not list
        uint8 decimals = IERC20Metadata(asset).decimals();
        _list.push(ListEntry(asset, decimals));
        _assets[asset] = AssetSlot(uint8(_list.length), decimals, params);
        emit AssetListed(asset, decimals, params);
    }

    /// @inheritdoc IPool
    function setAssetParams(address asset, AssetParams calldata params) external onlyRole(RISK_MANAGER_ROLE) {
        _listed(asset);
        _checkParams(params);
        _assets[asset].params = params;
        emit AssetParamsSet(asset, params);
    }

    /// @inheritdoc IPool
    function setRateModel(RateModel calldata model) external onlyRole(RISK_MANAGER_ROLE) {
        _accrue();
        _setRateModel(model);
    }

    /// @inheritdoc IPool
    function setMaxUtilization(uint256 maxUtilizationBps_) external onlyRole(RISK_MANAGER_ROLE) {
        _setMaxUtilization(maxUtilizationBps_);
    }

    /// @inheritdoc IPool
    function setCooldown(uint256 cooldown_) external onlyRole(RISK_MANAGER_ROLE) {
        _setCooldown(cooldown_);
    }

    /// @inheritdoc IPool
    function setDepositsPaused(bool paused) external onlyRole(GUARDIAN_ROLE) {
        _config.depositsPaused = paused;
        emit DepositsPausedSet(paused, msg.sender);
    }

    function _checkParams(AssetParams calldata p) private pure {
        ParamBounds.check("targetWeightBps", p.targetWeightBps, 0, FixedPointMath.BPS);
        ParamBounds.check("maxWeightBps", p.maxWeightBps, p.targetWeightBps, FixedPointMath.BPS);
        ParamBounds.check("baseFeeBps", p.baseFeeBps, 0, MAX_BASE_FEE_BPS);
        ParamBounds.check("taxFeeBps", p.taxFeeBps, 0, MAX_TAX_FEE_BPS);
        ParamBounds.check("depositCap", p.depositCap, 1, type(uint128).max);
    }

    function _setRateModel(RateModel memory m) private {
        ParamBounds.check("baseRateBps", m.baseRateBps, 0, MAX_BASE_RATE_BPS);
        ParamBounds.check("slope1Bps", m.slope1Bps, 0, MAX_SLOPE1_BPS);
        ParamBounds.check("kinkBps", m.kinkBps, MIN_KINK_BPS, MAX_KINK_BPS);
        ParamBounds.check("slope2Bps", m.slope2Bps, 0, MAX_SLOPE2_BPS);
        _config.rateModel = m;
        emit RateModelSet(m);
    }

    function _setMaxUtilization(uint256 value) private {
        ParamBounds.check("maxUtilizationBps", value, MIN_MAX_UTILIZATION_BPS, FixedPointMath.BPS);
        _config.maxUtilizationBps = uint16(value);
        emit MaxUtilizationSet(value);
    }

    function _setCooldown(uint256 value) private {
        ParamBounds.check("cooldown", value, 0, MAX_COOLDOWN);
        _config.cooldown = uint32(value);
        emit CooldownSet(value);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPool
    function assets() external view returns (address[] memory) {
        uint256 n = _list.length;
        address[] memory list = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            list[i] = _list[i].token;
        }
        return list;
    }

    /// @inheritdoc IPool
    function assetParams(address asset) external view returns (AssetParams memory) {
        return _listed(asset).params;
    }

    /// @inheritdoc IPool
    function reserves(address asset) external view returns (uint256) {
        return _reserves[asset];
    }

    /// @inheritdoc IPool
    function nav(bool maximize) external view returns (int256) {
        Valuation memory v = _valuation(false);
        return _nav(v, maximize);
    }

    /// @inheritdoc IPool
    function sharePrice(bool maximize) external view returns (uint256) {
        Valuation memory v = _valuation(false);
        return PoolMath.toValueDown(
            FixedPointMath.WAD, _navForShares(v, maximize), totalSupply(), VIRTUAL_SHARES, VIRTUAL_VALUE
        );
    }

    /// @inheritdoc IPool
    function utilization() external view returns (uint256) {
        Valuation memory v = _valuation(false);
        return _utilization(v.reserved, v.receivableLow, v.reserveLow);
    }

    /// @inheritdoc IPool
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

    /// @inheritdoc IPool
    function borrowIndex() public view returns (uint256) {
        RateSlot memory r = _rate;
        return _grownIndex(r);
    }

    /// @inheritdoc IPool
    function ratePerSecond() external view returns (uint256) {
        return _rate.ratePerSecond;
    }

    /// @inheritdoc IPool
    function totalScaledDebt() external view returns (uint256) {
        return _debt.total;
    }

    /// @inheritdoc IPool
    function scaledDebtOf(address product) external view returns (uint256) {
        if (!isProduct(product)) revert ProductNotAdded(product);
        return _scaledDebtOf(product, _debt);
    }

    /// @inheritdoc IPool
    function totalDebt() public view returns (uint256) {
        return uint256(_debt.total).mulDivDown(borrowIndex(), FixedPointMath.WAD);
    }

    /// @inheritdoc IPool
    function lockedShares(address account) external view returns (uint256 shares, uint256 unlocksAt) {
        Lockup memory l = _lockups[account];
        if (l.unlocksAt <= block.timestamp) return (0, 0);
        return (l.shares, l.unlocksAt);
    }

    /// @inheritdoc IPool
    function rateModel() external view returns (RateModel memory) {
        return _config.rateModel;
    }

    /// @inheritdoc IPool
    function maxUtilizationBps() external view returns (uint256) {
        return _config.maxUtilizationBps;
    }

    /// @inheritdoc IPool
    function cooldown() external view returns (uint256) {
        return _config.cooldown;
    }

    /// @inheritdoc IPool
    function depositsPaused() external view returns (bool) {
        return _config.depositsPaused;
    }

    // ---------------------------------------------------------------- internals

    function _listed(address asset) private view returns (AssetSlot memory a) {
        a = _assets[asset];
        if (a.position == 0) revert AssetNotListed(asset);
    }

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
                ? oracle.priceBounds(newRisk, IOracleAggregator.Action.AddRisk)
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
        uint256 debt = totalDebt();
        if (debt != 0) {
            // The settlement asset is always listed first.
            uint8 decimals = _list[0].decimals;
            v.receivableLow = debt.toValueDown(v.low[0], decimals);
            v.receivableHigh = debt.toValueDown(v.high[0], decimals);
        }
        _readExposure(v, enforce);
    }

    /// @dev Sum every product's exposure into `v` (O(products)); note the calling product's own reserved liquidity.
    function _readExposure(Valuation memory v, bool enforce) private view {
        uint256 n = _config.productCount;
        for (uint256 i = 0; i < n; ++i) {
            address book = i == 0 ? marginEngine : _productAt(i);
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
        if (enforce) return oracle.priceBounds(asset, IOracleAggregator.Action.Value);
        IOracleAggregator.PriceData memory d = oracle.getPriceData(asset);
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

    /// @dev A clock at or behind the last accrual (a call simulated at an earlier time) grows nothing: views never
    /// revert on it.
    function _grownIndex(RateSlot memory r) private view returns (uint256) {
        if (block.timestamp <= r.lastAccrual || r.ratePerSecond == 0) return r.index;
        uint256 elapsed = block.timestamp - r.lastAccrual;
        return uint256(r.index) + uint256(r.index).mulDivUp(uint256(r.ratePerSecond) * elapsed, FixedPointMath.WAD);
    }

    /// @dev Bring the borrow index up to now at the stored rate; returns the index.
    function _accrue() private returns (uint256 index) {
        RateSlot memory r = _rate;
        if (r.lastAccrual >= block.timestamp) return r.index;
        index = _grownIndex(r);
        _rate = RateSlot(index.toUint176(), r.ratePerSecond, uint32(block.timestamp));
    }

    /// @dev Set the rate for the next period from utilization at `reserveLow`.
    function _refreshRate(uint256 reserveLow, Valuation memory v) private {
        uint256 u = _utilization(v.reserved, v.receivableLow, reserveLow);
        RateModel memory m = _config.rateModel;
        uint256 rate = PoolMath.ratePerSecond(u, m.baseRateBps, m.slope1Bps, m.kinkBps, m.slope2Bps);
        _rate.ratePerSecond = rate.toUint48();
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
        return msg.sender == liquidator ? marginEngine : msg.sender;
    }

    function _scaledDebtOf(address product, DebtSlot memory d) private view returns (uint256) {
        return product == marginEngine ? d.total - d.ofAddedProducts : _addedScaledDebt[product];
    }

    /// @dev Book `scaledDebt` more as debt owed through the caller's product.
    function _addDebt(uint256 scaledDebt) private {
        DebtSlot memory d = _debt;
        d.total = (d.total + scaledDebt).toUint128();
        address product = _debtor();
        if (product != marginEngine) {
            _addedScaledDebt[product] += scaledDebt;
            d.ofAddedProducts += uint128(scaledDebt); // no more than the total, which fits
        }
        _debt = d;
    }

    /// @dev Cancel `scaledDebt` of the debt owed through the caller's product, never another product's.
    function _reduceDebt(uint256 scaledDebt) private {
        DebtSlot memory d = _debt;
        address product = _debtor();
        uint256 owed = _scaledDebtOf(product, d);
        if (scaledDebt > owed) revert DebtUnderflow(scaledDebt, owed);
        d.total -= uint128(scaledDebt);
        if (product != marginEngine) {
            _addedScaledDebt[product] = owed - scaledDebt;
            d.ofAddedProducts -= uint128(scaledDebt);
        }
        _debt = d;
    }

    /// @dev After the calling product added risk: its used liquidity (reserved + receivable at the lower price, as
    /// utilization counts them) within its liquidity cap and its share of the backing.
    function _checkProductCaps(Valuation memory v, uint256 index) private view {
        ProductCaps memory caps = _capsOf(msg.sender);
        uint256 receivable = _scaledDebtOf(msg.sender, _debt).mulDivDown(index, FixedPointMath.WAD);
        uint256 used = v.callerReserved + receivable.toValueDown(v.low[0], _list[0].decimals);
        uint256 cap = (v.reserveLow + v.receivableLow).mulBpsDown(caps.maxBackingShareBps);
        uint256 capUsd = uint256(caps.maxLiquidityUsd) * FixedPointMath.WAD;
        if (capUsd < cap) cap = capUsd;
        if (used > cap) revert ProductCapExceeded(msg.sender, used, cap);
    }

    /// @dev A product other than the MarginEngine is never paid at once more than it has reserved for its positions
    /// (asked before it lowers its books), within its liquidity cap.
    function _checkPayout(uint256 valueUsd) private view {
        (,, uint256 reserved,) = ITraderBook(msg.sender).poolExposure(false);
        uint256 cap = uint256(_capsOf(msg.sender).maxLiquidityUsd) * FixedPointMath.WAD;
        uint256 limit = reserved < cap ? reserved : cap;
        if (valueUsd > limit) revert ProductPayoutExceeded(msg.sender, valueUsd, limit);
    }

    function _productCountChanged(uint256 count) internal override {
        _config.productCount = uint8(count);
    }

    function _engineCaps() internal view override returns (ProductCaps memory) {
        ConfigSlot memory c = _config;
        return ProductCaps(c.engineMaxLiquidityUsd, c.engineMaxBackingShareBps);
    }

    function _setEngineCaps(ProductCaps memory caps) internal override {
        (_config.engineMaxBackingShareBps, _config.engineMaxLiquidityUsd) =
        (caps.maxBackingShareBps, caps.maxLiquidityUsd);
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
