// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IMarginEngineAdmin, IMarginEngineCore} from "../interfaces/IMarginEngine.sol";
import {IMarginProduct} from "../interfaces/IMarginProduct.sol";
import {IOracleAggregator} from "../interfaces/IOracleAggregator.sol";
import {ITraderBook} from "../interfaces/ITraderBook.sol";
import {CoreWiringViews} from "./base/CoreWiring.sol";
import {MarginEngineBooks} from "./base/MarginEngineBooks.sol";
import {MarginEngineStorage} from "./base/MarginEngineStorage.sol";
import {ProtocolGuarded} from "./base/ProtocolGuarded.sol";
import {AccountMath} from "./libraries/AccountMath.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {PriceRange} from "./libraries/PriceRange.sol";
import {MarginEngineGovernance} from "./MarginEngineGovernance.sol";

/// @title MarginEngineExtension
/// @notice Book-keeping views, margin-product trades, auto-deleveraging, provisions and the isolated-debt records of
/// the MarginEngine. Deployed before the engine, for the engine's address, which delegates to it every selector it
/// does not implement, so this code runs on the engine's storage; called directly it has no state of its own worth
/// anything. What it does not implement it delegates in turn to the MarginEngineGovernance.
contract MarginEngineExtension is MarginEngineBooks, CoreWiringViews, ProtocolGuarded, IMarginEngineAdmin {
    using FixedPointMath for uint256;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;
    using PriceRange for PriceRange.Range;

    /// @notice The engine this extension serves (the only storage it is meant to run on); the engine checks it.
    address public immutable engine;
    /// @notice Where the selectors this extension does not implement run (governance: roles, listings, parameters).
    address public immutable governance;

    /// @param engine_ The engine's address, deployed next (the engine refuses an extension built for another).
    /// @param governance_ The MarginEngineGovernance built for the same engine.
    constructor(Wiring memory w, address engine_, address governance_) MarginEngineStorage(w) ProtocolGuarded(w.lock) {
        if (MarginEngineGovernance(governance_).engine() != engine_) {
            revert ExtensionMismatch(governance_, MarginEngineGovernance(governance_).engine());
        }
        (engine, governance) = (engine_, governance_);
    }

    /// @notice Every selector neither the engine nor this extension implements runs in the governance contract, on
    /// the engine's storage.
    fallback(bytes calldata data) external returns (bytes memory) {
        return Address.functionDelegateCall(governance, data);
    }

    // ---------------------------------------------------------------- provisions (docs/design.md#liveness)

    /// @inheritdoc IMarginEngineAdmin
    function provision(address[] calldata accounts) external guarded {
        uint256 total = _exposure.totalProvision;
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            Health memory h;
            // Runs on the engine's storage (delegatecall): `this` is the engine, whose liquidation health this is.
            try IMarginEngineCore(address(this)).liquidationHealth(account) returns (Health memory health) {
                h = health;
            } catch {
                revert ProvisionUnpriced(account, i);
            }
            uint256 provisioned = h.maintenanceEquity < 0 ? uint256(-h.maintenanceEquity) : 0;
            total = total - _provisions[account] + provisioned;
            (_provisions[account], _accounts[account].provisioned) = (provisioned, provisioned != 0);
            emit ProvisionSet(account, provisioned, total);
        }
        _exposure.totalProvision = total.toUint248();
    }

    /// @inheritdoc IMarginEngineAdmin
    function provisionOf(address account) external view returns (uint256) {
        return _provisions[account];
    }

    /// @inheritdoc IMarginEngineAdmin
    function totalProvision() external view returns (uint256) {
        return _exposure.totalProvision;
    }

    /// @inheritdoc IMarginEngineAdmin
    function collateralValue(address account) external view returns (uint256 valueUsd) {
        uint16 mask = _accounts[account].collateral;
        for (uint256 i = 0; mask != 0; ++i) {
            if (mask & 1 != 0) {
                address asset = _collateralList[i];
                (uint256 low,) = _oracle.priceBounds(asset, IOracleAggregator.Action.Liquidate);
                valueUsd += _balances[account][asset].toValueDown(low, _collateral[asset].decimals);
            }
            mask >>= 1;
        }
    }

    /// @inheritdoc IMarginEngineAdmin
    function writeOffDebt(address account) external returns (uint256 scaledDebt) {
        if (msg.sender != _liquidator) revert Unauthorized(msg.sender);
        scaledDebt = _accounts[account].scaledDebt;
        _accounts[account].scaledDebt = 0;
        _clearProvision(account);
        emit DebtWrittenOff(account, scaledDebt);
    }

    /// @inheritdoc IMarginEngineAdmin
    function absorbCollateral(address account, uint256 valueUsd) external returns (uint256 movedUsd) {
        if (msg.sender != _liquidator) revert Unauthorized(msg.sender);
        HealthPrices memory prices;
        return _seize(account, valueUsd, false, address(_pool), prices);
    }

    /// @inheritdoc IMarginEngineAdmin
    function payKeeperInCollateral(address account, address keeper, uint256 units, PriceRange.Range calldata settlement)
        external
        returns (uint256 paid)
    {
        if (msg.sender != _liquidator) revert Unauthorized(msg.sender);
        HealthPrices memory prices;
        return _chargeCollateral(account, units, keeper, settlement, prices);
    }

    // ---------------------------------------------------------------- margin products

    // ---------------------------------------------------------------- trader actions

    /// @inheritdoc IMarginEngineAdmin
    function withdraw(address asset, uint256 amount, address to) external guarded {
        if (amount == 0) revert ZeroAmount();
        address account = msg.sender;
        // Borrowing (withdrawing cash beyond the account's credit) is new risk: the guardian's pause stops it.
        bool borrows = asset == _settlementAsset && amount > _accounts[account].credit;
        if (asset == _settlementAsset) {
            if (borrows && _config.newRiskPaused) revert NewRiskPaused();
            _payFromCash(account, amount, to, "withdraw");
        } else {
            CollateralSlot memory c = _listedCollateral(asset);
            uint256 balance = _balances[account][asset];
            if (amount > balance) revert InsufficientCollateral(asset, amount, balance);
            _balances[account][asset] = balance - amount;
            _totalCollateral[asset] -= amount;
            if (balance == amount) _accounts[account].collateral &= ~uint16(1 << (c.position - 1));
            IERC20(asset).safeTransfer(to, amount);
            emit CollateralWithdrawn(account, asset, amount, to);
        }
        // With no debt and no positions nothing can be owed: withdrawing needs no price.
        AccountSlot storage m = _accounts[account];
        if (m.markets != 0 || m.products != 0 || m.scaledDebt != 0) {
            _oracle.priceForRisk(asset, true); // the withdrawn asset's price must be Ok
            IMarginEngineCore(address(this)).checkInitialMargin(account);
        }
        // A borrow is new risk; withdrawing collateral or credit is not (the initial margin check above gates it).
        if (_config.isolatedCollateral != 0) _recordIsolatedDebt(account, borrows);
    }

    /// @inheritdoc IMarginEngineAdmin
    function tradeProduct(uint256 product, bytes calldata action) external guarded returns (bytes memory result) {
        address account = msg.sender;
        IMarginProduct book = _marginProduct(product);
        IMarginProduct.AccountRisk memory before = book.accountRisk(account, false);
        int256 cashUsd;
        bool addsRisk;
        bool holds;
        (cashUsd, addsRisk, holds, result) = book.execute(account, action);
        // The engine does not take the product's word for what the action did: an account that holds nothing has no
        // figures, and an action that raised the initial margin or the stress loss adds risk.
        IMarginProduct.AccountRisk memory next = book.accountRisk(account, false);
        if (!holds && !_isZero(next)) revert MarginProductStillHeld(product, account);
        addsRisk = addsRisk || next.initialMargin > before.initialMargin || next.stressLoss > before.stressLoss;
        if (addsRisk && _config.newRiskPaused) revert NewRiskPaused();
        _setProductHeld(account, product, holds);
        _realize(account, cashUsd, _settlementRange());
        emit ProductTraded(account, product, cashUsd, addsRisk, holds);
        // The health checks are the engine's own code (a view call back into it).
        IMarginEngineCore self = IMarginEngineCore(address(this));
        if (addsRisk) {
            self.checkInitialMargin(account);
            _pool.checkUtilization();
        } else if (holds) {
            // As for a perp: a partial reduce must leave the account healthy; closing all of it always goes through.
            Health memory h = self.health(account);
            if (h.liquidatable) revert BelowMaintenance(h.maintenanceEquity, h.maintenanceMargin);
        }
        if (_config.isolatedCollateral != 0) _recordIsolatedDebt(account, addsRisk);
    }

    function _isZero(IMarginProduct.AccountRisk memory r) private pure returns (bool) {
        return r.maintenanceValue == 0 && r.maintenanceMargin == 0 && r.initialValue == 0 && r.initialMargin == 0
            && r.stressLoss == 0;
    }

    // ---------------------------------------------------------------- isolated collateral (docs/design.md#onboarding)

    /// @inheritdoc IMarginEngineAdmin
    function recordIsolatedDebt(address account, bool addsRisk) external {
        if (msg.sender != address(this)) revert Unauthorized(msg.sender);
        _recordIsolatedDebt(account, addsRisk);
    }

    /// @inheritdoc IMarginEngineAdmin
    function refreshIsolatedDebt(address[] calldata accounts) external guarded {
        for (uint256 i = 0; i < accounts.length; ++i) {
            _recordIsolatedDebt(accounts[i], false);
        }
    }

    /// @inheritdoc IMarginEngineAdmin
    function isolatedDebtOf(address account) external view returns (uint256 debtUsd, uint16 assets) {
        IsolatedDebtSlot memory r = _isolatedDebt[account];
        return (r.debt, r.assets);
    }

    /// @dev Replace `account`'s record: its debt now, counted against the isolated assets it holds now, instead of
    /// the old debt against the old assets. With `enforce` (new risk), a record that raises an asset's debt above its
    /// ceiling reverts; a record that lowers an asset's debt never does. An account neither counted nor holding an
    /// isolated asset has nothing to record.
    function _recordIsolatedDebt(address account, bool enforce) private {
        IsolatedDebtSlot memory old = _isolatedDebt[account];
        uint16 held = _accounts[account].collateral & _config.isolatedCollateral;
        if (old.assets == 0 && held == 0) return;
        uint256 debt = held == 0 ? 0 : _isolatedDebtOf(account);
        uint16 touched = old.assets | held;
        for (uint256 i = 0; touched != 0; ++i) {
            if (touched & 1 != 0) {
                address asset = _collateralList[i];
                IsolationSlot memory iso = _isolation[asset];
                uint256 before = iso.debt;
                uint256 total = before - (old.assets & (1 << i) != 0 ? old.debt : 0);
                if (held & (1 << i) != 0) total += debt;
                if (enforce && total > iso.debtCeiling && total > before) {
                    revert DebtCeilingExceeded(asset, total, iso.debtCeiling);
                }
                _isolation[asset].debt = total.toUint128();
            }
            touched >>= 1;
        }
        _isolatedDebt[account] = IsolatedDebtSlot(debt.toUint128(), held);
        emit IsolatedDebtRecorded(account, debt, held);
    }

    /// @dev What `account` has borrowed or opened, USD (WAD): its debt to the Pool at the settlement asset's higher
    /// price, its perpetuals' notional at entry, and the initial margin of its margin-product positions.
    function _isolatedDebtOf(address account) private view returns (uint256 usd) {
        uint256 scaledDebt = _accounts[account].scaledDebt;
        if (scaledDebt != 0) {
            usd = _settlementRange().usdUp(scaledDebt.mulWadUp(_pool.borrowIndex()), _settlementDecimals);
        }
        uint16 markets = _accounts[account].markets;
        for (uint256 market = 0; markets != 0; ++market) {
            if (markets & 1 != 0) {
                Position memory pos = _position(account, market);
                usd += AccountMath.notionalOf(pos.size, pos.entryPrice);
            }
            markets >>= 1;
        }
        uint8 products = _accounts[account].products;
        for (uint256 product = 0; products != 0; ++product) {
            if (products & 1 != 0) usd += _marginProduct(product).accountRisk(account, false).initialMargin;
            products >>= 1;
        }
    }

    // ---------------------------------------------------------------- auto-deleveraging

    /// @inheritdoc IMarginEngineAdmin
    function autoDeleverage(address account, uint256 market) external guarded returns (int256 delta) {
        (int256 traderPnl, uint256 poolValue, bool active, uint256 excess) = _adlState();
        if (!active) revert AdlNotActive(traderPnl, poolValue, _config.adlThresholdBps);
        Position memory pos = _position(account, market);
        uint256 price;
        (delta, price) = _adlTrade(account, market, pos, excess);
        (int256 realized, int256 sizeAfter,) = _tradeWithoutFee(account, market, pos, delta, price, _pool.borrowIndex());
        _realize(account, realized, _settlementRange());
        emit PositionModified(account, market, delta, sizeAfter, price, realized, 0);
        emit AutoDeleveraged(account, market, delta, price, realized, excess, msg.sender);
    }

    /// @dev Check the selection rule and size the reduction: what realizes `excess` (each unit realizes
    /// |price - entry|), all of the position if less than the minimum size would remain.
    function _adlTrade(address account, uint256 market, Position memory pos, uint256 excess)
        private
        view
        returns (int256, uint256)
    {
        MarketParams memory p = _listedMarket(market);
        AccountMath.MarketState memory s = _marketStateRef(market);
        bool long = pos.size > 0;
        // Closing a long sells: the price better for the account is the higher one, and vice versa.
        uint256 price = _oracle.priceForLiquidation(p.asset, long);
        uint256 average = long
            ? uint256(s.longEntryNotional).mulDivDown(FixedPointMath.WAD, s.longSize == 0 ? 1 : s.longSize)
            : uint256(s.shortEntryNotional).mulDivUp(FixedPointMath.WAD, s.shortSize == 0 ? 1 : s.shortSize);
        // A profitable side, and an entry at least as good as the side's average.
        bool candidate = pos.size != 0
            && (long ? average < price && pos.entryPrice <= average : average > price && pos.entryPrice >= average);
        if (!candidate) revert NotAdlCandidate(account, market, pos.entryPrice, average, price);
        uint256 size = _abs(pos.size);
        uint256 closing = excess.mulDivUp(FixedPointMath.WAD, FixedPointMath.absDiff(price, pos.entryPrice));
        if (closing >= size || size - closing < p.minSize) closing = size;
        return (long ? -int256(closing) : int256(closing), price);
    }

    /// @inheritdoc IMarginEngineAdmin
    function adlState() external view returns (int256 traderPnl, uint256 poolValue, bool active, uint256 excessUsd) {
        return _adlState();
    }

    function _adlState() private view returns (int256 traderPnl, uint256 poolValue, bool active, uint256 excessUsd) {
        (, traderPnl,) = _poolExposure(false, _exposure.marginProducts);
        int256 value = _pool.nav(false) + traderPnl;
        poolValue = value > 0 ? uint256(value) : 0;
        ConfigSlot memory c = _config;
        active = traderPnl > 0 && uint256(traderPnl) > poolValue.mulBpsDown(c.adlThresholdBps);
        // Paying out profit P lowers the PnL and the pool's value alike: (pnl - P) <= target * (value - P) needs
        // P >= (pnl - target * value) / (1 - target).
        if (active) {
            uint256 over = uint256(traderPnl) - poolValue.mulBpsDown(c.adlTargetBps);
            excessUsd = over.mulDivUp(FixedPointMath.BPS, FixedPointMath.BPS - c.adlTargetBps);
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMarginEngineAdmin
    function position(address account, uint256 market) external view returns (Position memory) {
        return _position(account, market);
    }

    /// @inheritdoc IMarginEngineAdmin
    function collateralBalance(address account, address asset) external view returns (uint256) {
        return _balances[account][asset];
    }

    /// @inheritdoc IMarginEngineAdmin
    function cash(address account) external view returns (uint256 credit, uint256 scaledDebt, uint256 debt) {
        AccountSlot storage c = _accounts[account];
        return (c.credit, c.scaledDebt, uint256(c.scaledDebt).mulWadUp(_pool.borrowIndex()));
    }

    /// @inheritdoc IMarginEngineAdmin
    function marketCount() external view returns (uint256) {
        return _markets.length;
    }

    /// @inheritdoc IMarginEngineAdmin
    function marketParams(uint256 market) external view returns (MarketParams memory) {
        return _listedMarket(market);
    }

    /// @inheritdoc IMarginEngineAdmin
    function collateralParams(address asset) external view returns (CollateralParams memory) {
        CollateralSlot memory c = _listedCollateral(asset);
        return CollateralParams(c.initialHaircutBps, c.maintHaircutBps, c.stressShockBps, c.supplyCap);
    }

    /// @inheritdoc IMarginEngineAdmin
    function marginProducts() external view returns (address[] memory) {
        uint256 n = _exposure.marginProducts;
        address[] memory listed = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            listed[i] = _marginProducts[i];
        }
        return listed;
    }

    /// @inheritdoc IMarginEngineAdmin
    function accountProducts(address account) external view returns (uint8) {
        return _accounts[account].products;
    }

    /// @inheritdoc IMarginEngineAdmin
    function accountMasks(address account) external view returns (uint16 collateral, uint16 markets) {
        AccountSlot storage m = _accounts[account];
        return (m.collateral, m.markets);
    }

    /// @inheritdoc IMarginEngineAdmin
    function collateralAssets() external view returns (address[] memory) {
        return _collateralList;
    }

    /// @inheritdoc IMarginEngineAdmin
    function totalCollateral(address asset) external view returns (uint256) {
        return _totalCollateral[asset];
    }

    /// @inheritdoc IMarginEngineAdmin
    function insuranceFeeShareBps() external view returns (uint256) {
        return _config.insuranceFeeShareBps;
    }

    /// @inheritdoc IMarginEngineAdmin
    function newRiskPaused() external view returns (bool) {
        return _config.newRiskPaused;
    }

    /// @inheritdoc IMarginEngineAdmin
    function adlParams() external view returns (uint256 thresholdBps, uint256 targetBps) {
        return (_config.adlThresholdBps, _config.adlTargetBps);
    }

    /// @inheritdoc IMarginEngineAdmin
    function pool() external view returns (address) {
        return address(_pool);
    }
}
