// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {IPoolTypes} from "../../interfaces/IPool.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {CoreWiring} from "./CoreWiring.sol";

/// @title PoolStorage
/// @notice The state of the Pool, shared by its two halves: the Pool itself and the extension it delegates governance,
/// the product registry and book-keeping views to. Both inherit this first, so their storage layouts agree slot for
/// slot (the LP share's ERC20 state included); the wiring is immutable and given to both by the Pool's constructor.
abstract contract PoolStorage is ERC20, CoreWiring, IPoolTypes {
    using FixedPointMath for uint256;
    using SafeCast for uint256;

    /// @dev The most products, the MarginEngine (product 0) included.
    uint256 internal constant MAX_PRODUCT_COUNT = 4;
    /// @dev `ProductCaps.maxLiquidityUsd` meaning no liquidity cap.
    uint48 internal constant NO_LIQUIDITY_CAP = type(uint48).max;

    /// @dev Index in `_list` plus one (0 = not listed), decimals and parameters: one slot.
    struct AssetSlot {
        uint8 position;
        uint8 decimals;
        AssetParams params;
    }

    /// @dev Borrow index, the rate until the next accrual, when it last accrued, and the product count the valuation
    /// loops to (every valuation reads the index anyway, and this slot is never zero, so no product count costs a
    /// write or a refund of its own): one slot.
    /// @dev 176 bits of index last about twenty years at the highest rate the bounds allow (400 % a year, about 1.3e11
    /// WAD per second, well within 40 bits).
    struct RateSlot {
        uint176 index;
        uint40 ratePerSecond;
        uint32 lastAccrual;
        uint8 productCount;
    }

    /// @dev A pool asset as the valuation loop reads it: one slot.
    struct ListEntry {
        address token;
        uint8 decimals;
    }

    /// @dev Every governed scalar an LP action or a risk check reads: the rate model (its own slot), then one slot with
    /// the limits and the MarginEngine's caps, which the risk checks read with the maximum utilization (the other
    /// products' caps sit beside their addresses in `_addedProducts`).
    struct ConfigSlot {
        RateModel rateModel;
        uint16 maxUtilizationBps;
        uint32 cooldown;
        bool depositsPaused;
        uint48 engineMaxLiquidityUsd;
        uint16 engineMaxBackingShareBps;
    }

    /// @dev A product added by governance and its caps, as the valuation loop reads them: one slot.
    struct ProductEntry {
        address book;
        uint48 maxLiquidityUsd;
        uint16 maxBackingShareBps;
    }

    /// @dev Traders' scaled debt: the total (the Pool's receivable) and the part owed through products other than the
    /// MarginEngine (each one's in `_addedScaledDebt`); the MarginEngine's is the rest, so its path moves one slot.
    struct DebtSlot {
        uint128 total;
        uint128 ofAddedProducts;
    }

    struct Lockup {
        uint128 shares;
        uint64 unlocksAt;
    }

    /// @notice Addresses and roles the Pool is wired to.
    struct Wiring {
        IOracleAggregator oracle;
        address settlementAsset;
        address marginEngine;
        address liquidator;
        address insuranceFund;
        address admin;
        address riskManager;
        address guardian;
    }

    /// @dev Product 0, registered at construction: compared before any storage is read.
    address internal immutable _marginEngine;

    ListEntry[] internal _list;
    mapping(address asset => AssetSlot) internal _assets;
    mapping(address asset => uint256) internal _reserves;
    mapping(address account => Lockup) internal _lockups;

    RateSlot internal _rate;
    ConfigSlot internal _config;
    DebtSlot internal _debt;
    /// @dev Products 1 to `productCount - 1` at indices 0 to `productCount - 2`.
    ProductEntry[MAX_PRODUCT_COUNT - 1] internal _addedProducts;
    /// @dev A product's number (1 and up; 0: not an added product).
    mapping(address book => uint256) internal _productNumber;
    mapping(address book => uint256) internal _addedScaledDebt;
    /// @dev The shared lock's members added after deployment (products), in the order added, and the same as a set.
    address[] internal _addedMembers;
    mapping(address account => bool) internal _isAddedMember;

    /// @dev The shared lock (`IProtocolLock`): held while an entry point of any member runs.
    bool internal transient _locked;

    constructor(Wiring memory w)
        ERC20("ballast LP", "BLP")
        CoreWiring(w.oracle, w.settlementAsset, w.liquidator, w.insuranceFund)
    {
        if (w.settlementAsset == address(0) || w.marginEngine == address(0) || w.liquidator == address(0)) {
            revert ZeroAddress();
        }
        _marginEngine = w.marginEngine;
    }

    /// @dev Whether `account` may take and release the shared lock: the four core members (immutables, compared first)
    /// or a member the Pool added.
    function _isMember(address account) internal view returns (bool) {
        return account == _marginEngine || account == _liquidator || account == _insuranceFund
            || account == address(this) || _isAddedMember[account];
    }

    function _listed(address asset) internal view returns (AssetSlot memory a) {
        a = _assets[asset];
        if (a.position == 0) revert AssetNotListed(asset);
    }

    /// @dev Whether `book` is a product (the MarginEngine is compared first: an immutable).
    function _isProduct(address book) internal view returns (bool) {
        return book == _marginEngine || _productNumber[book] != 0;
    }

    /// @dev The caps of `book`, a product.
    function _capsOf(address book) internal view returns (ProductCaps memory) {
        if (book == _marginEngine) {
            ConfigSlot storage c = _config;
            return ProductCaps(c.engineMaxLiquidityUsd, c.engineMaxBackingShareBps);
        }
        ProductEntry memory e = _addedProducts[_productNumber[book] - 1];
        return ProductCaps(e.maxLiquidityUsd, e.maxBackingShareBps);
    }

    /// @dev Scaled debt owed through `product`, given the debt slot `d`.
    function _scaledDebtOf(address product, DebtSlot memory d) internal view returns (uint256) {
        return product == _marginEngine ? d.total - d.ofAddedProducts : _addedScaledDebt[product];
    }

    /// @dev A clock at or behind the last accrual (a call simulated at an earlier time) grows nothing: views never
    /// revert on it.
    function _grownIndex(RateSlot memory r) internal view returns (uint256) {
        if (block.timestamp <= r.lastAccrual || r.ratePerSecond == 0) return r.index;
        uint256 elapsed = block.timestamp - r.lastAccrual;
        return uint256(r.index) + uint256(r.index).mulDivUp(uint256(r.ratePerSecond) * elapsed, FixedPointMath.WAD);
    }

    /// @dev Bring the borrow index up to now at the stored rate; returns the index.
    function _accrue() internal returns (uint256 index) {
        RateSlot memory r = _rate;
        if (r.lastAccrual >= block.timestamp) return r.index;
        index = _grownIndex(r);
        _rate = RateSlot(index.toUint176(), r.ratePerSecond, uint32(block.timestamp), r.productCount);
    }
}
