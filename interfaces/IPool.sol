// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {ICoreWiring} from "./ICoreWiring.sol";
import {IProductRegistry, IProductRegistryTypes} from "./IProductRegistry.sol";
import {IProtocolLock, IProtocolLockAdmin, IProtocolLockCore, IProtocolLockTypes} from "./IProtocolLock.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IPoolTypes
/// @notice The Pool's structs, errors and events (and the product registry's and the shared lock's).
interface IPoolTypes is IProductRegistryTypes, IProtocolLockTypes {
    /// @notice Governed parameters of a pool asset.
    /// @param targetWeightBps Target share of reserve value.
    /// @param maxWeightBps A deposit may not take the asset's share above this.
    /// @param baseFeeBps Deposit/withdraw fee before the weight adjustment.
    /// @param taxFeeBps Largest weight adjustment (added moving away from target, rebated toward it).
    /// @param depositCap Largest booked reserve, in token units.
    struct AssetParams {
        uint16 targetWeightBps;
        uint16 maxWeightBps;
        uint16 baseFeeBps;
        uint16 taxFeeBps;
        uint128 depositCap;
    }

    /// @notice Kinked utilization rate model; annual rates and the kink in basis points.
    struct RateModel {
        uint32 baseRateBps;
        uint32 slope1Bps;
        uint32 kinkBps;
        uint32 slope2Bps;
    }

    // ---------------------------------------------------------------- errors

    /// @notice `asset` is not a pool asset.
    error AssetNotListed(address asset);
    /// @notice `asset` is already listed.
    error AssetAlreadyListed(address asset);
    /// @notice No more than `max` pool assets.
    error TooManyAssets(uint256 max);
    /// @notice The caller would get `actual`, less than its `minimum`.
    error SlippageExceeded(uint256 actual, uint256 minimum);
    /// @notice The deposit would take the booked reserve of `asset` to `reserveAfter`, above `cap`.
    error DepositCapExceeded(address asset, uint256 reserveAfter, uint256 cap);
    /// @notice The deposit would take the weight of `asset` to `weightBps`, above `maxWeightBps`.
    error MaxWeightExceeded(address asset, uint256 weightBps, uint256 maxWeightBps);
    /// @notice The action would take utilization to `utilization` (WAD), above `maxUtilization`.
    error UtilizationExceeded(uint256 utilization, uint256 maxUtilization);
    /// @notice `requested` units of `asset` exceed the `available` booked reserve.
    error InsufficientLiquidity(address asset, uint256 requested, uint256 available);
    /// @notice `lockedShares` of `account` are locked until `unlocksAt`.
    error CooldownActive(address account, uint256 lockedShares, uint256 unlocksAt);
    /// @notice NAV is `nav` (<= 0 with the virtual value): shares cannot be priced.
    error PoolInsolvent(int256 nav);
    /// @notice The guardian paused deposits.
    error DepositsPaused();
    /// @notice The settlement reserve (valued `backing` USD) would no longer cover the `reserved` liquidity.
    error SettlementBackingShort(uint256 backing, uint256 reserved);
    /// @notice The first listed asset must be the settlement asset `settlementAsset`.
    error SettlementAssetFirst(address settlementAsset);
    /// @notice The debt being cancelled or repaid (`scaled`) exceeds the `owedScaled` owed through the caller's product.
    error DebtUnderflow(uint256 scaled, uint256 owedScaled);

    // ---------------------------------------------------------------- events

    event AssetListed(address indexed asset, uint8 decimals, AssetParams params);
    event AssetParamsSet(address indexed asset, AssetParams params);
    event RateModelSet(RateModel model);
    event MaxUtilizationSet(uint256 maxUtilizationBps);
    event CooldownSet(uint256 cooldown);
    event DepositsPausedSet(bool paused, address indexed guardian);
    /// @notice An LP deposit: `value` is the USD credited after the fee of `feeBps`.
    event Deposit(
        address indexed caller,
        address indexed receiver,
        address indexed asset,
        uint256 amount,
        uint256 feeBps,
        uint256 value,
        uint256 shares
    );
    /// @notice An LP withdrawal paying `amount` of `asset` after a fee of `feeBps`.
    event Withdraw(
        address indexed owner,
        address indexed receiver,
        address indexed asset,
        uint256 shares,
        uint256 feeBps,
        uint256 amount
    );
    /// @notice The borrow index moved to `borrowIndex`; the rate for the next period is `ratePerSecond`.
    event Accrued(uint256 borrowIndex, uint256 ratePerSecond, uint256 utilization);
    event ProfitPaid(address indexed to, uint256 amount);
    /// @notice Profit the settlement reserve could not pay was paid in `amount` of `asset` (worth `valueUsd` at its upper
    /// price).
    event ProfitPaidInKind(address indexed to, address indexed asset, uint256 amount, uint256 valueUsd);
    event LossReceived(uint256 paid, uint256 borrowed, uint256 scaledDebt);
    event Lent(address indexed to, uint256 amount, uint256 scaledDebt);
    event Repaid(address indexed from, uint256 amount, uint256 scaledDebt);
    event CollateralAbsorbed(address indexed asset, uint256 amount, uint256 scaledDebtCancelled);
    /// @notice A deficit of `amount` settlement units (`scaledDebt` scaled) was written off: LPs bear it.
    event DeficitSocialized(uint256 amount, uint256 scaledDebt, uint256 valueUsd);
    event InsuranceExcessReceived(uint256 amount);
}

/// @title IPoolCore
/// @notice The Pool's own code: LP actions, the entry points of the products (and of the Liquidator and the
/// InsuranceFund), taking and releasing the shared lock, the valuation views the hot paths use, and the LP share
/// (ERC20).
interface IPoolCore is IERC20, IPoolTypes, IProtocolLockCore {
    // ---------------------------------------------------------------- LP actions

    /// @notice Deposit `amount` of `asset` and mint LP shares to `receiver`.
    /// @dev Values the deposit at the asset's lower policy price and the pool at its upper NAV (worse for the
    /// caller); every pool asset and market price must be `Ok`. Rounds shares down.
    /// @return shares LP shares minted (at least `minShares`).
    function deposit(address asset, uint256 amount, uint256 minShares, address receiver)
        external
        returns (uint256 shares);

    /// @notice Burn `shares` of the caller and pay `asset` to `receiver`.
    /// @dev Values the shares at the lower NAV and the asset at its upper policy price (worse for the caller).
    /// @return amount Token units paid (at least `minAmount`).
    function withdraw(uint256 shares, address asset, uint256 minAmount, address receiver)
        external
        returns (uint256 amount);

    /// @notice Accrue the borrow index and refresh the rate from current utilization. Permissionless.
    function poke() external;

    // ---------------------------------------------------------------- protocol entry points

    /// @notice Pay a trader's realized profit: up to `amount` of the settlement asset to the calling product, as much as
    /// the settlement reserve holds. Products only; a product other than the MarginEngine is never paid more (valued at
    /// the settlement asset's upper price) than its `poolExposure` reports reserved when it asks, so it asks before it
    /// takes the paid position off its books (`ProductPayoutExceeded`). No cap bounds a payout.
    /// @return paid Settlement units paid (`amount` unless the reserve is short).
    function payProfit(uint256 amount) external returns (uint256 paid);

    /// @notice Pay `valueUsd` of profit in `asset` to the calling product, valued at the asset's upper price and rounded
    /// up to a whole unit (a profit is paid in full), at most the reserve; pays nothing for the settlement asset, an
    /// unlisted asset, an empty reserve or a price that is not Ok or Deviated. Products only, bounded as `payProfit`.
    /// @return amount Units of `asset` paid.
    /// @return paidUsd Their value at the upper price (rounded down).
    function payProfitInKind(address asset, uint256 valueUsd) external returns (uint256 amount, uint256 paidUsd);

    /// @notice Receive a trader's loss: pull `paid` settlement units from the caller and book `borrowed` more as
    /// new debt of the trader, owed through the calling product. A product, or the Liquidator for the MarginEngine.
    /// @return scaledDebt Scaled debt created for `borrowed` (rounded up).
    function receiveLoss(uint256 paid, uint256 borrowed) external returns (uint256 scaledDebt);

    /// @notice Lend `amount` of the settlement asset to `to` as new trader debt owed through the calling product. Products
    /// only. A loan is new risk: it counts toward utilization, toward the settlement backing of reserved payouts and
    /// toward the product's caps (reverting `UtilizationExceeded`, `SettlementBackingShort` or `ProductCapExceeded`
    /// past them, with every pool price Ok) and refreshes the rate.
    /// @return scaledDebt Scaled debt created (rounded up).
    function lend(uint256 amount, address to) external returns (uint256 scaledDebt);

    /// @notice Repay `scaledDebt` of trader debt, pulling its current value (rounded up) from the caller.
    /// A product (its own debt only), or the Liquidator for the MarginEngine. Debt is always moved in scaled units, so
    /// the sum of the accounts' scaled debt equals `totalScaledDebt` exactly and the receivable (rounded down) never
    /// exceeds what accounts owe.
    /// @return amount Settlement units pulled.
    function repay(uint256 scaledDebt) external returns (uint256 amount);

    /// @notice Pull seized collateral into reserves and cancel `scaledDebt` of the liquidated account. A product (its own
    /// debt only; the MarginEngine moves a liquidated account's collateral straight to the Pool), or the Liquidator for
    /// the MarginEngine.
    /// @return received Units of `asset` that arrived (a fee-on-transfer token delivers less than `amount`).
    function absorb(address asset, uint256 amount, uint256 scaledDebt) external returns (uint256 received);

    /// @notice Write off `scaledDebt` of the MarginEngine's debt that no collateral or insurance covers: NAV falls by its
    /// value. Liquidator.
    /// @return amount The settlement units written off.
    function socializeDeficit(uint256 scaledDebt) external returns (uint256 amount);

    /// @notice Pull the InsuranceFund's excess over its target into reserves. InsuranceFund only.
    function receiveInsuranceExcess(uint256 amount) external;

    /// @notice Revert if utilization is above the maximum, the settlement reserve no longer backs the reserved payouts,
    /// or the calling product's used liquidity is above its caps (`ProductCapExceeded`), after a trader of that product
    /// added risk. Products only.
    function checkUtilization() external;

    // ---------------------------------------------------------------- views

    /// @notice Booked reserve of `asset`, in token units.
    function reserves(address asset) external view returns (uint256);

    /// @notice NAV in USD (WAD) at the lower (`maximize = false`) or upper ends of the stored oracle prices;
    /// a view for keepers and displays: it does not enforce the oracle status.
    function nav(bool maximize) external view returns (int256);

    /// @notice USD (WAD) per LP share, with the virtual offsets, at the lower or upper NAV.
    function sharePrice(bool maximize) external view returns (uint256);

    /// @notice (reserved liquidity + receivables) / (reserve value + receivables), WAD, at lower prices.
    function utilization() external view returns (uint256);

    /// @notice Units of `asset` an LP could withdraw now without breaking the reserve, the maximum utilization or (for
    /// the settlement asset) the backing of reserved payouts, before the weight fee.
    function availableLiquidity(address asset) external view returns (uint256);

    /// @notice Borrow index (WAD) including interest accrued since the last accrual.
    function borrowIndex() external view returns (uint256);

    /// @notice Total trader debt in settlement units at the current index, rounded down (the Pool's receivable).
    function totalDebt() external view returns (uint256);

    /// @notice Virtual shares (and `VIRTUAL_VALUE`, virtual USD) added to the supply and NAV when shares are priced: the
    /// share price starts at 1 USD and a near-empty pool cannot be inflated by a donation.
    function VIRTUAL_SHARES() external view returns (uint256);

    /// @notice Virtual USD (WAD) added to NAV when shares are priced (see `VIRTUAL_SHARES`).
    function VIRTUAL_VALUE() external view returns (uint256);
}

/// @title IPoolAdmin
/// @notice Governance, the product registry, the shared lock's membership and book-keeping views of the Pool, served
/// by its extension (the Pool delegates every selector it does not implement to it, as the MarginEngine does).
interface IPoolAdmin is IPoolTypes, IProductRegistry, ICoreWiring, IProtocolLockAdmin {
    // ---------------------------------------------------------------- governance

    function listAsset(address asset, AssetParams calldata params) external;
    function setAssetParams(address asset, AssetParams calldata params) external;
    function setRateModel(RateModel calldata model) external;
    function setMaxUtilization(uint256 maxUtilizationBps) external;
    function setCooldown(uint256 cooldown) external;
    function setDepositsPaused(bool paused) external;

    // ---------------------------------------------------------------- views

    /// @notice Pool assets in listing order.
    function assets() external view returns (address[] memory);

    /// @notice Parameters of `asset`.
    function assetParams(address asset) external view returns (AssetParams memory);

    /// @notice Borrow rate per second (WAD) set at the last rate refresh (LP actions, `checkUtilization`, `poke`).
    function ratePerSecond() external view returns (uint256);

    /// @notice Total trader debt in scaled units, every product's.
    function totalScaledDebt() external view returns (uint256);

    /// @notice Shares of `account` still under the deposit cooldown, and when they unlock.
    function lockedShares(address account) external view returns (uint256 shares, uint256 unlocksAt);

    function rateModel() external view returns (RateModel memory);

    function maxUtilizationBps() external view returns (uint256);

    function cooldown() external view returns (uint256);

    function depositsPaused() external view returns (bool);
}

/// @title IPool
/// @notice Multi-asset liquidity pool: LPs deposit listed assets for an ERC20 share minted and burned at NAV; the
/// pool is the counterparty of the traders of every product it serves (`IProductRegistry`; the MarginEngine is product
/// 0), lends the settlement asset behind traders' negative cash, and takes liquidated collateral and, last in the loss
/// waterfall, socialized deficits.
/// @dev Values are USD in WAD; token amounts are in each token's decimals. NAV = oracle value of the booked
/// reserves + receivables from traders (their debt in the settlement asset) - traders' net unrealized PnL (net of
/// borrow fees they owe), summed over every product (O(products)); the lower NAV (what a share redeems for) also
/// subtracts the provision for accounts whose maintenance equity is negative (`ITraderBook.poolExposure`), so an LP
/// cannot exit ahead of a loss already visible on chain.
///
/// Liveness (docs/design.md#liveness): the settlement reserve must keep covering the liquidity reserved for open
/// positions (what they can be owed); an LP withdrawal or a loan that would leave it short reverts, and a loan counts
/// toward utilization and refreshes the rate. Profits are paid from the settlement reserve and, in the rare case it is
/// short after price moves, in the other pool assets at their upper price (`payProfitInKind`). Tokens sent to the Pool
/// without going through an entry point are not booked and change nothing. Fee-on-transfer tokens are credited by the
/// balance difference they actually deliver.
///
/// Deposit cooldown: shares minted by `deposit` are locked in the receiver's account for `cooldown` seconds. Locked
/// shares can be neither burned by `withdraw` nor transferred, so moving them to another address does not escape
/// the cooldown; shares received by transfer, and older shares, are never locked. A new deposit to an account adds
/// its shares to that account's locked amount and restarts the account's cooldown (a third party depositing for
/// you can therefore lock only the shares it paid for, plus your own shares that were still locked).
///
/// Shared lock: the Pool is the protocol's single reentrancy lock (`IProtocolLock`), held in its transient storage;
/// its guarded entry points take it without a call, the other members call its `lock` and `unlock`.
///
/// The whole API lives at the Pool's address: its own code serves `IPoolCore` (LP actions, the products' entry points,
/// the lock, the valuation views) and delegates the rest (`IPoolAdmin`: governance, the product registry, the lock's
/// membership, book-keeping views) to its PoolExtension.
interface IPool is IPoolCore, IPoolAdmin, IProtocolLock {}
