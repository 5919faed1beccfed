// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {Vm, WithVm} from "../utils/Vm.sol";

/// @title CoreHandler
/// @notice What the core invariant fuzzer drives: the whole core (Pool, MarginEngine, Liquidator, InsuranceFund,
/// oracle with one MockFeed per asset) with 2 LPs, 3 traders and a keeper. One entry point, `step`, picks a weighted
/// action with bounded inputs; every protocol call is made as an actor inside try/catch, so a revert is a ghost
/// statistic (`reverts`), never a failure of the campaign. The handler keeps its own clock (warped to before every
/// action) and moves one block per step.
/// @dev Assets, in the oracle's and the handler's order: 0 USDC (settlement, 6 decimals), 1 WBTC (8), 2 WETH (18).
/// Markets: 0 on WETH, 1 on WBTC.
contract CoreHandler is WithVm {
    // ---------------------------------------------------------------- actions (ghost statistics are indexed by them)

    uint256 public constant LP_DEPOSIT = 0;
    uint256 public constant LP_WITHDRAW = 1;
    uint256 public constant COLLATERAL_DEPOSIT = 2;
    uint256 public constant COLLATERAL_WITHDRAW = 3;
    uint256 public constant MODIFY_POSITION = 4;
    uint256 public constant PRICE_MOVE = 5;
    uint256 public constant TIME_PASSES = 6;
    uint256 public constant LIQUIDATE = 7;
    uint256 public constant SWEEP = 8;
    uint256 public constant ACTIONS = 9;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant FEED_DECIMALS = 8;
    uint256 internal constant BLOCK_TIME = 12;
    uint256 internal constant TWAP_WINDOW = 600;
    /// @dev Every price stays in [1/100, 100x] of its start (the bounded walk of `_movePrice`).
    uint256 internal constant PRICE_RANGE = 100;

    // ---------------------------------------------------------------- the system

    Pool public immutable pool;
    IMarginEngine public immutable engine;
    Liquidator public immutable liquidator;
    InsuranceFund public immutable insurance;
    OracleAggregator public immutable oracle;
    MockERC20[3] internal tokens;
    MockFeed[3] internal feeds;
    uint256[3] internal startPrices;

    address[2] internal lps;
    address[3] internal traders;
    address public immutable keeper;

    // ---------------------------------------------------------------- clock and ghosts

    /// @notice The handler's clock and block (warped and rolled to before every action).
    uint256 public time;
    uint256 public blockNumber;

    /// @notice Per action: how often it was picked, how often its protocol call succeeded, how often it reverted.
    uint256[ACTIONS] public picked;
    uint256[ACTIONS] public succeeded;
    uint256[ACTIONS] public reverts;

    /// @notice Liquidations done by `liquidateMany`, accounts absorbed into the Pool, deficits covered (in part or
    /// in full) by the InsuranceFund and deficits socialized to LPs, with the settlement units they came to.
    uint256 public liquidations;
    uint256 public absorptions;
    uint256 public insuranceCovers;
    uint256 public insuranceCovered;
    uint256 public socializations;
    uint256 public socialized;
    /// @notice Price moves of at least 20 % (up or down), adverse moves (`_movePrice`), and accounts seen liquidatable
    /// before a liquidation action.
    uint256 public largeMoves;
    uint256 public adverseMoves;
    uint256 public liquidatableSeen;
    /// @notice Set when, right after a liquidation action, an account it liquidated still has positions with
    /// negative maintenance equity (DESIGN section 8, invariant 6). Never reset.
    bool public negativeEquityLeft;
    /// @notice Set when a liquidation action changed the books of an account that was not liquidatable before it
    /// (DESIGN section 8, invariant 5). Never reset.
    bool public healthyAccountTouched;
    address public healthyAccountTouchedAt;
    address public negativeEquityAccount;
    int256 public negativeEquity;

    bytes32 internal constant LIQUIDATED = keccak256("Liquidated(address,address,uint256,uint256,uint256,uint256)");
    bytes32 internal constant ABSORBED = keccak256("Absorbed(address,uint256,uint256,uint256,uint256)");
    bytes32 internal constant DEFICIT_SOCIALIZED = keccak256("DeficitSocialized(uint256,uint256,uint256)");

    struct Actors {
        address[2] lps;
        address[3] traders;
        address keeper;
    }

    constructor(
        Pool pool_,
        IMarginEngine engine_,
        Liquidator liquidator_,
        InsuranceFund insurance_,
        OracleAggregator oracle_,
        MockERC20[3] memory tokens_,
        MockFeed[3] memory feeds_,
        Actors memory actors,
        uint256 start
    ) {
        (pool, engine, liquidator, insurance, oracle) = (pool_, engine_, liquidator_, insurance_, oracle_);
        (tokens, feeds, lps, traders, keeper) = (tokens_, feeds_, actors.lps, actors.traders, actors.keeper);
        for (uint256 i = 0; i < 3; ++i) {
            startPrices[i] = uint256(feeds_[i].answer());
        }
        (time, blockNumber) = (start, vm.getBlockNumber());
    }

    // ---------------------------------------------------------------- views for the invariants

    function lp(uint256 i) external view returns (address) {
        return lps[i];
    }

    function trader(uint256 i) external view returns (address) {
        return traders[i];
    }

    function token(uint256 i) external view returns (MockERC20) {
        return tokens[i];
    }

    function allTraders() public view returns (address[] memory list) {
        list = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            list[i] = traders[i];
        }
    }

    // ---------------------------------------------------------------- the fuzzed entry point

    /// @notice One weighted action: 7 % LP deposit, 5 % LP withdrawal, 10 % collateral deposit, 6 % collateral
    /// withdrawal, 30 % modifyPosition, 18 % price move, 6 % time passing, 15 % liquidateMany, 3 % sweep.
    function step(uint256 action, uint256 a, uint256 b, uint256 c) external {
        time += BLOCK_TIME;
        ++blockNumber;
        vm.warp(time);
        vm.roll(blockNumber);
        uint256 w = action % 100;
        uint256 kind;
        if (w < 7) kind = LP_DEPOSIT;
        else if (w < 12) kind = LP_WITHDRAW;
        else if (w < 22) kind = COLLATERAL_DEPOSIT;
        else if (w < 28) kind = COLLATERAL_WITHDRAW;
        else if (w < 58) kind = MODIFY_POSITION;
        else if (w < 76) kind = PRICE_MOVE;
        else if (w < 82) kind = TIME_PASSES;
        else if (w < 97) kind = LIQUIDATE;
        else kind = SWEEP;
        ++picked[kind];
        bool ok;
        if (kind == LP_DEPOSIT) ok = _lpDeposit(a, b, c);
        else if (kind == LP_WITHDRAW) ok = _lpWithdraw(a, b, c);
        else if (kind == COLLATERAL_DEPOSIT) ok = _collateralDeposit(a, b, c);
        else if (kind == COLLATERAL_WITHDRAW) ok = _collateralWithdraw(a, b, c);
        else if (kind == MODIFY_POSITION) ok = _modifyPosition(a, b, c);
        else if (kind == PRICE_MOVE) ok = _movePrice(a, b, c);
        else if (kind == TIME_PASSES) ok = _timePasses(a);
        else if (kind == LIQUIDATE) ok = _liquidateAll();
        else ok = _sweep();
        if (ok) ++succeeded[kind];
        else ++reverts[kind];
    }

    // ---------------------------------------------------------------- LPs

    /// @dev 1,000 to 200,000 USD of one pool asset.
    function _lpDeposit(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = lps[a % 2];
        MockERC20 t = tokens[b % 3];
        uint256 amount = _amountForUsd(b % 3, _bound(c, 1_000, 200_000) * WAD);
        t.mint(who, amount);
        vm.startPrank(who);
        t.approve(address(pool), amount);
        try pool.deposit(address(t), amount, 0, who) {
            vm.stopPrank();
            return true;
        } catch {
            vm.stopPrank();
            return false;
        }
    }

    /// @dev 1 % to 50 % of the LP's shares in one pool asset; an LP whose shares are still locked waits out the
    /// cooldown first (the prices are refreshed after the wait, so the withdrawal is priced Ok).
    function _lpWithdraw(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = lps[a % 2];
        uint256 balance = pool.balanceOf(who);
        if (balance == 0) return false;
        (, uint256 unlocksAt) = pool.lockedShares(who);
        if (unlocksAt > time) {
            _advance(unlocksAt - time + 1);
            _settle();
        }
        uint256 shares = balance * _bound(c, 100, 5_000) / 10_000;
        if (shares == 0) return false;
        vm.prank(who);
        try pool.withdraw(shares, address(tokens[b % 3]), 0, who) {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- traders: cash and collateral

    /// @dev 500 to 20,000 USD of USDC (cash: repays debt first), WBTC or WETH (collateral).
    function _collateralDeposit(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        return _deposit(traders[a % 3], b % 3, _bound(c, 500, 20_000) * WAD);
    }

    function _deposit(address who, uint256 i, uint256 usd) internal returns (bool) {
        MockERC20 t = tokens[i];
        uint256 amount = _amountForUsd(i, usd);
        t.mint(who, amount);
        vm.startPrank(who);
        t.approve(address(engine), amount);
        try engine.deposit(address(t), amount, who) {
            vm.stopPrank();
            return true;
        } catch {
            vm.stopPrank();
            return false;
        }
    }

    /// @dev 1 % to 100 % of a collateral balance; for USDC, of the credit, or (one time in four) up to 2,000 USD
    /// beyond it (a borrow).
    function _collateralWithdraw(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = traders[a % 3];
        uint256 i = b % 3;
        uint256 amount;
        if (i == 0) {
            (uint256 credit,,) = engine.cash(who);
            amount = credit * _bound(c, 100, 10_000) / 10_000;
            if ((c >> 128) % 4 == 0) amount += _bound(c >> 64, 1, 2_000) * 1e6;
        } else {
            amount = engine.collateralBalance(who, address(tokens[i])) * _bound(c, 100, 10_000) / 10_000;
        }
        if (amount == 0) return false;
        vm.prank(who);
        try engine.withdraw(address(tokens[i]), amount, who) {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- traders: positions

    /// @dev One time in four, reduce or close an open position (a fraction of 10 % to 100 %); otherwise open or add
    /// to a long or a short of 1x to 4x the account's net value (collateral and credit less debt, at the feeds'
    /// prices; an account worth under 1,000 USD first deposits 5,000 to 50,000 USD of USDC, WBTC or WETH). Same-asset
    /// collateral up to about 3x (USDC up to about 5x) passes the stress check; beyond it the margin check refuses,
    /// and those reverts are counted.
    function _modifyPosition(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        address who = traders[a % 3];
        uint256 market = b % 2;
        uint256 assetIndex = market == 0 ? 2 : 1;
        int256 size = engine.position(who, market).size;
        int256 delta;
        // The modes (reduce or open, side, leverage, which asset a deposit is in) come from a hash of the inputs,
        // so the fuzzer's favourite small values do not all land in one of them; `c` sizes a reduction.
        uint256 r = uint256(keccak256(abi.encode(a, b, c)));
        if (size != 0 && r % 4 == 0) {
            uint256 fraction = _bound(c, 1_000, 10_000);
            delta = fraction == 10_000 ? -size : -size * int256(fraction) / 10_000;
        } else {
            int256 value = _netValue(who);
            if (value < 1_000e18) {
                // An account without margin first deposits some (so opening is the common case, not a revert).
                if (!_deposit(who, (r >> 8) % 3, _bound(r >> 16, 5_000, 50_000) * WAD)) return false;
                value = _netValue(who);
                if (value <= 0) return false;
            }
            uint256 notional = uint256(value) * _bound(r >> 64, 10_000, 40_000) / 10_000;
            uint256 units = notional * WAD / _price(assetIndex);
            delta = (r >> 128) % 2 == 0 ? int256(units) : -int256(units);
        }
        if (delta == 0) return false;
        vm.prank(who);
        try engine.modifyPosition(market, delta, delta > 0 ? type(uint256).max : 0) {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- prices and time

    /// @dev Half the time (drawn from a hash of the inputs, so the fuzzer's favourite values do not all land in one
    /// mode) an adverse move: a trader's open position has its asset moved against it by 20 % to 45 % (at most +35 %
    /// for a short). Otherwise a random move: USDC by at most 1 % (one time in eight), or WBTC or WETH by at most 5 %,
    /// by -15 % to +12 % (accounts drift into liquidation before they are insolvent) or by -40 % to +30 %. Then the
    /// TWAP catches up: update, a warp past the TWAP window, update, again, and update. Prices stay within 1/100 and
    /// 100x of their start.
    function _movePrice(uint256 a, uint256 b, uint256 c) internal returns (bool) {
        uint256 mode = uint256(keccak256(abi.encode(a, b, c))) % 8;
        (bool adverse, uint256 i, int256 moveBps) = mode < 4 ? _adverseMove(a, b) : (false, 0, int256(0));
        if (adverse) {
            ++adverseMoves;
        } else {
            i = a % 8 == 0 ? 0 : 1 + (a >> 8) % 2;
            if (i == 0) moveBps = int256(_bound(b, 0, 200)) - 100;
            else if (mode < 5) moveBps = int256(_bound(b, 0, 1_000)) - 500;
            else if (mode < 7) moveBps = int256(_bound(b, 0, 2_700)) - 1_500;
            else moveBps = int256(_bound(b, 0, 7_000)) - 4_000;
        }
        if (moveBps >= 2_000 || moveBps <= -2_000) ++largeMoves;
        uint256 next = uint256(int256(uint256(feeds[i].answer())) * (10_000 + moveBps) / 10_000);
        uint256 low = startPrices[i] / PRICE_RANGE;
        uint256 high = startPrices[i] * PRICE_RANGE;
        if (next < low) next = low;
        if (next > high) next = high;
        feeds[i].setAnswer(int256(next));
        _settle();
        return true;
    }

    /// @dev The first open position of trader `a % 3` (market order rotated by `a`), and a move of its asset against
    /// it: -20 % to -45 % for a long, +20 % to +35 % for a short. None when the trader has no position.
    function _adverseMove(uint256 a, uint256 b) internal view returns (bool found, uint256 i, int256 moveBps) {
        address who = traders[a % 3];
        for (uint256 k = 0; k < 2; ++k) {
            uint256 market = (k + (a >> 8)) % 2;
            int256 size = engine.position(who, market).size;
            if (size == 0) continue;
            i = market == 0 ? 2 : 1;
            moveBps = size > 0 ? -int256(_bound(b, 2_000, 4_500)) : int256(_bound(b, 2_000, 3_500));
            return (true, i, moveBps);
        }
    }

    /// @dev 1 minute to 1 day passes (interest accrues), then the prices are refreshed as after a move.
    function _timePasses(uint256 a) internal returns (bool) {
        _advance(_bound(a, 60, 86_400));
        _settle();
        return true;
    }

    // ---------------------------------------------------------------- keeper

    /// @dev `liquidateMany` over every trader; then every account it liquidated is checked: positions left with
    /// negative maintenance equity set a ghost flag (DESIGN section 8, invariant 6), and so does any change to the
    /// books of an account that was not liquidatable (invariant 5).
    function _liquidateAll() internal returns (bool) {
        address[] memory list = allTraders();
        bool[] memory liquidatable = new bool[](list.length);
        bytes32[] memory books = new bytes32[](list.length);
        for (uint256 k = 0; k < list.length; ++k) {
            try engine.liquidationHealth(list[k]) returns (IMarginEngineTypes.Health memory h) {
                liquidatable[k] = h.liquidatable;
                if (h.liquidatable) ++liquidatableSeen;
            } catch {}
            books[k] = _books(list[k]);
        }
        vm.recordLogs();
        vm.prank(keeper);
        try liquidator.liquidateMany(list) returns (uint256 n) {
            liquidations += n;
        } catch {
            vm.getRecordedLogs();
            return false;
        }
        // DESIGN section 8, invariant 5: a liquidation touches no other account.
        for (uint256 k = 0; k < list.length; ++k) {
            if (!liquidatable[k] && _books(list[k]) != books[k]) {
                healthyAccountTouched = true;
                healthyAccountTouchedAt = list[k];
            }
        }
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 k = 0; k < logs.length; ++k) {
            bytes32 topic = logs[k].topics[0];
            if (topic == LIQUIDATED && logs[k].emitter == address(liquidator)) {
                _checkAfterLiquidation(address(uint160(uint256(logs[k].topics[1]))));
            } else if (topic == ABSORBED && logs[k].emitter == address(liquidator)) {
                ++absorptions;
                (,, uint256 deficit, uint256 covered) = abi.decode(logs[k].data, (uint256, uint256, uint256, uint256));
                if (deficit != 0 && covered != 0) {
                    ++insuranceCovers;
                    insuranceCovered += covered;
                }
            } else if (topic == DEFICIT_SOCIALIZED && logs[k].emitter == address(pool)) {
                ++socializations;
                (uint256 amount,,) = abi.decode(logs[k].data, (uint256, uint256, uint256));
                socialized += amount;
            }
        }
        return true;
    }

    /// @dev A digest of what the engine books for `account`: cash, collateral balances, masks and positions.
    function _books(address account) internal view returns (bytes32) {
        (uint256 credit, uint256 scaledDebt,) = engine.cash(account);
        (uint16 collateralMask, uint16 marketMask) = engine.accountMasks(account);
        return keccak256(
            abi.encode(
                credit,
                scaledDebt,
                collateralMask,
                marketMask,
                engine.collateralBalance(account, address(tokens[1])),
                engine.collateralBalance(account, address(tokens[2])),
                engine.position(account, 0),
                engine.position(account, 1)
            )
        );
    }

    function _checkAfterLiquidation(address account) internal {
        (, uint16 markets) = engine.accountMasks(account);
        if (markets == 0) return;
        try engine.liquidationHealth(account) returns (IMarginEngineTypes.Health memory h) {
            if (h.maintenanceEquity < 0) {
                negativeEquityLeft = true;
                (negativeEquityAccount, negativeEquity) = (account, h.maintenanceEquity);
            }
        } catch {}
    }

    function _sweep() internal returns (bool) {
        vm.prank(keeper);
        try insurance.sweep() {
            return true;
        } catch {
            return false;
        }
    }

    // ---------------------------------------------------------------- helpers

    function _advance(uint256 seconds_) internal {
        time += seconds_;
        blockNumber += seconds_ / BLOCK_TIME + 1;
        vm.warp(time);
        vm.roll(blockNumber);
    }

    /// @dev `ballast.prices.settle_prices`: restamp every feed and update, twice a TWAP window apart, then once more:
    /// every TWAP has caught up with its feed and every status is Ok.
    function _settle() internal {
        for (uint256 round = 0; round < 2; ++round) {
            _restampAndUpdate();
            _advance(TWAP_WINDOW + 1);
        }
        _restampAndUpdate();
    }

    function _restampAndUpdate() internal {
        for (uint256 i = 0; i < 3; ++i) {
            feeds[i].setAnswer(feeds[i].answer());
            oracle.update(address(tokens[i]));
        }
    }

    /// @notice The feed price of asset `i`, WAD.
    function _price(uint256 i) internal view returns (uint256) {
        return uint256(feeds[i].answer()) * 10 ** (18 - FEED_DECIMALS);
    }

    function _amountForUsd(uint256 i, uint256 usd) internal view returns (uint256) {
        return usd * 10 ** tokens[i].decimals() / _price(i);
    }

    /// @notice Collateral and credit less debt at the feeds' prices, WAD USD.
    function _netValue(address who) internal view returns (int256 value) {
        (uint256 credit,, uint256 debt) = engine.cash(who);
        value = int256(credit * 1e12) - int256(debt * 1e12);
        for (uint256 i = 1; i < 3; ++i) {
            uint256 balance = engine.collateralBalance(who, address(tokens[i]));
            value += int256(balance * _price(i) / 10 ** tokens[i].decimals());
        }
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + x % (max - min + 1);
    }
}
