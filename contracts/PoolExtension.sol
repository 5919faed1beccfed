// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IPoolAdmin} from "../interfaces/IPool.sol";
import {IProductRegistry} from "../interfaces/IProductRegistry.sol";
import {IProtocolLockAdmin} from "../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../interfaces/ITraderBook.sol";
import {CoreWiringViews} from "./base/CoreWiring.sol";
import {PoolStorage} from "./base/PoolStorage.sol";
import {Roles} from "./base/Roles.sol";
import {FixedPointMath} from "./libraries/FixedPointMath.sol";
import {ParamBounds} from "./libraries/ParamBounds.sol";

/// @title PoolExtension
/// @notice Governance, the product registry, the shared lock's membership and book-keeping views of the Pool. The Pool
/// creates it in its constructor and delegates to it every selector it does not implement, so this code runs on the
/// Pool's storage (and transient storage: the lock); called directly it has no state of its own worth anything. Roles
/// live here (OpenZeppelin AccessControl, after the shared state).
contract PoolExtension is PoolStorage, CoreWiringViews, Roles, IPoolAdmin {
    uint256 public constant MAX_ASSETS = 8;
    uint256 public constant MAX_BASE_FEE_BPS = 100;
    uint256 public constant MAX_TAX_FEE_BPS = 200;
    uint256 public constant MAX_COOLDOWN = 2 days;
    uint256 public constant MIN_MAX_UTILIZATION_BPS = 1_000;
    uint256 public constant MAX_BASE_RATE_BPS = 10_000;
    uint256 public constant MAX_SLOPE1_BPS = 10_000;
    uint256 public constant MAX_SLOPE2_BPS = 20_000;
    uint256 public constant MIN_KINK_BPS = 500;
    uint256 public constant MAX_KINK_BPS = 9_500;
    /// @inheritdoc IProductRegistry
    uint256 public constant MAX_PRODUCTS = MAX_PRODUCT_COUNT;

    /// @notice The Pool that created this extension (the only storage it is meant to run on).
    address public immutable pool;

    constructor(Wiring memory w) PoolStorage(w) {
        pool = msg.sender;
    }

    /// @notice Grant the roles, set the rate model and the limits, start the borrow index and register the MarginEngine
    /// as product 0 with no cap (a single product is bounded by the maximum utilization). Runs once, by delegatecall
    /// from the Pool's constructor: only then is the caller's code empty.
    function initialize(Wiring calldata w, RateModel calldata model, uint256 maxUtilizationBps_, uint256 cooldown_)
        external
    {
        if (address(this) != pool || address(this).code.length != 0) revert Unauthorized(msg.sender);
        _grantRole(DEFAULT_ADMIN_ROLE, w.admin);
        _grantRole(RISK_MANAGER_ROLE, w.riskManager);
        _grantRole(GUARDIAN_ROLE, w.guardian);
        _setRateModel(model);
        _setMaxUtilization(maxUtilizationBps_);
        _setCooldown(cooldown_);
        _rate = RateSlot(uint176(FixedPointMath.WAD), 0, uint32(block.timestamp), 1);
        ProductCaps memory none = ProductCaps(NO_LIQUIDITY_CAP, uint16(FixedPointMath.BPS));
        _setEngineCaps(none);
        emit ProductAdded(_marginEngine, 0, none);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IPoolAdmin
    function listAsset(address asset, AssetParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_assets[asset].position != 0) revert AssetAlreadyListed(asset);
        if (_list.length == MAX_ASSETS) revert TooManyAssets(MAX_ASSETS);
        if (_list.length == 0 && asset != _settlementAsset) revert SettlementAssetFirst(_settlementAsset);
        _checkParams(params);
        _oracle.getPriceData(asset); // reverts for an asset the oracle does not list
        uint8 decimals = IERC20Metadata(asset).decimals();
        _list.push(ListEntry(asset, decimals));
        _assets[asset] = AssetSlot(uint8(_list.length), decimals, params);
        emit AssetListed(asset, decimals, params);
    }

    /// @inheritdoc IPoolAdmin
    function setAssetParams(address asset, AssetParams calldata params) external onlyRole(RISK_MANAGER_ROLE) {
        _listed(asset);
        _checkParams(params);
        _assets[asset].params = params;
        emit AssetParamsSet(asset, params);
    }

    /// @inheritdoc IPoolAdmin
    function setRateModel(RateModel calldata model) external onlyRole(RISK_MANAGER_ROLE) {
        _accrue();
        _setRateModel(model);
    }

    /// @inheritdoc IPoolAdmin
    function setMaxUtilization(uint256 maxUtilizationBps_) external onlyRole(RISK_MANAGER_ROLE) {
        _setMaxUtilization(maxUtilizationBps_);
    }

    /// @inheritdoc IPoolAdmin
    function setCooldown(uint256 cooldown_) external onlyRole(RISK_MANAGER_ROLE) {
        _setCooldown(cooldown_);
    }

    /// @inheritdoc IPoolAdmin
    function setDepositsPaused(bool paused) external onlyRole(GUARDIAN_ROLE) {
        _config.depositsPaused = paused;
        emit DepositsPausedSet(paused, msg.sender);
    }

    /// @inheritdoc IProductRegistry
    function addProduct(address book, ProductCaps calldata caps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (book == address(0)) revert ZeroAddress();
        if (_isProduct(book)) revert ProductAlreadyAdded(book);
        uint256 number = _rate.productCount;
        if (number == MAX_PRODUCT_COUNT) revert TooManyProducts(MAX_PRODUCT_COUNT);
        (int256 pnlLow, int256 pnlHigh, uint256 reserved, uint256 provision) = ITraderBook(book).poolExposure(false);
        if (pnlLow != 0 || pnlHigh != 0 || reserved != 0 || provision != 0) {
            revert ProductNotEmpty(book, pnlLow, pnlHigh, reserved, provision);
        }
        _checkCaps(caps);
        _addedProducts[number - 1] = ProductEntry(book, caps.maxLiquidityUsd, caps.maxBackingShareBps);
        _productNumber[book] = number;
        _rate.productCount = uint8(number + 1);
        _addMember(book);
        emit ProductAdded(book, number, caps);
    }

    /// @inheritdoc IProductRegistry
    function setProductCaps(address book, ProductCaps calldata caps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_isProduct(book)) revert ProductNotAdded(book);
        _checkCaps(caps);
        if (book == _marginEngine) {
            _setEngineCaps(caps);
        } else {
            ProductEntry storage e = _addedProducts[_productNumber[book] - 1];
            (e.maxLiquidityUsd, e.maxBackingShareBps) = (caps.maxLiquidityUsd, caps.maxBackingShareBps);
        }
        emit ProductCapsSet(book, caps);
    }

    /// @inheritdoc IProtocolLockAdmin
    /// @dev The Pool adds members itself, from `addProduct`: any caller reverts `NotMemberAdmin`, but the Pool.
    function addMember(address member) external {
        if (msg.sender != address(this)) revert NotMemberAdmin(msg.sender);
        _addMember(member);
    }

    function _addMember(address member) private {
        if (member == address(0)) revert ZeroMember();
        if (_isMember(member)) revert AlreadyMember(member);
        _isAddedMember[member] = true;
        _addedMembers.push(member);
        emit MemberAdded(member);
    }

    function _checkParams(AssetParams calldata p) private pure {
        ParamBounds.check("targetWeightBps", p.targetWeightBps, 0, FixedPointMath.BPS);
        ParamBounds.check("maxWeightBps", p.maxWeightBps, p.targetWeightBps, FixedPointMath.BPS);
        ParamBounds.check("baseFeeBps", p.baseFeeBps, 0, MAX_BASE_FEE_BPS);
        ParamBounds.check("taxFeeBps", p.taxFeeBps, 0, MAX_TAX_FEE_BPS);
        ParamBounds.check("depositCap", p.depositCap, 1, type(uint128).max);
    }

    function _checkCaps(ProductCaps memory caps) private pure {
        ParamBounds.check("maxBackingShareBps", caps.maxBackingShareBps, 0, FixedPointMath.BPS);
    }

    function _setEngineCaps(ProductCaps memory caps) private {
        (_config.engineMaxLiquidityUsd, _config.engineMaxBackingShareBps) =
        (caps.maxLiquidityUsd, caps.maxBackingShareBps);
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

    /// @inheritdoc IProductRegistry
    function marginEngine() external view returns (address) {
        return _marginEngine;
    }

    /// @inheritdoc IPoolAdmin
    function assets() external view returns (address[] memory list) {
        uint256 n = _list.length;
        list = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            list[i] = _list[i].token;
        }
    }

    /// @inheritdoc IPoolAdmin
    function assetParams(address asset) external view returns (AssetParams memory) {
        return _listed(asset).params;
    }

    /// @inheritdoc IPoolAdmin
    function ratePerSecond() external view returns (uint256) {
        return _rate.ratePerSecond;
    }

    /// @inheritdoc IPoolAdmin
    function totalScaledDebt() external view returns (uint256) {
        return _debt.total;
    }

    /// @inheritdoc IProductRegistry
    function scaledDebtOf(address book) external view returns (uint256) {
        if (!_isProduct(book)) revert ProductNotAdded(book);
        return _scaledDebtOf(book, _debt);
    }

    /// @inheritdoc IPoolAdmin
    function lockedShares(address account) external view returns (uint256 shares, uint256 unlocksAt) {
        Lockup memory l = _lockups[account];
        if (l.unlocksAt <= block.timestamp) return (0, 0);
        return (l.shares, l.unlocksAt);
    }

    /// @inheritdoc IPoolAdmin
    function rateModel() external view returns (RateModel memory) {
        return _config.rateModel;
    }

    /// @inheritdoc IPoolAdmin
    function maxUtilizationBps() external view returns (uint256) {
        return _config.maxUtilizationBps;
    }

    /// @inheritdoc IPoolAdmin
    function cooldown() external view returns (uint256) {
        return _config.cooldown;
    }

    /// @inheritdoc IPoolAdmin
    function depositsPaused() external view returns (bool) {
        return _config.depositsPaused;
    }

    /// @inheritdoc IProductRegistry
    function products() external view returns (address[] memory list) {
        uint256 n = _rate.productCount;
        list = new address[](n);
        list[0] = _marginEngine;
        for (uint256 i = 1; i < n; ++i) {
            list[i] = _addedProducts[i - 1].book;
        }
    }

    /// @inheritdoc IProductRegistry
    function isProduct(address book) external view returns (bool) {
        return _isProduct(book);
    }

    /// @inheritdoc IProtocolLockAdmin
    function isLocked() external view returns (bool) {
        return _locked;
    }

    /// @inheritdoc IProtocolLockAdmin
    function isMember(address account) external view returns (bool) {
        return _isMember(account);
    }

    /// @inheritdoc IProtocolLockAdmin
    function members() external view returns (address[4] memory) {
        return [address(this), _marginEngine, _liquidator, _insuranceFund];
    }

    /// @inheritdoc IProtocolLockAdmin
    function addedMembers() external view returns (address[] memory) {
        return _addedMembers;
    }

    /// @inheritdoc IProductRegistry
    function productCaps(address book) external view returns (ProductCaps memory) {
        if (!_isProduct(book)) revert ProductNotAdded(book);
        return _capsOf(book);
    }
}
