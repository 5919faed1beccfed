// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {IPool} from "../interfaces/IPool.sol";
import {IProtocolLock} from "../interfaces/IProtocolLock.sol";
import {ProtocolGuarded} from "./base/ProtocolGuarded.sol";
import {Roles} from "./base/Roles.sol";

/// @title InsuranceFund
/// @notice First-loss buffer in the settlement asset.
contract InsuranceFund is IInsuranceFund, Roles, ProtocolGuarded {
    using SafeERC20 for IERC20;

    /// @inheritdoc IInsuranceFund
    address public immutable asset;
    IPool public immutable pool;
    address public immutable liquidator;

    /// @dev The shared lock's four core members (immutable there too), so `fund` tells them without calling the lock.
    address private immutable _member0;
    address private immutable _member1;
    address private immutable _member2;
    address private immutable _member3;

    /// @inheritdoc IInsuranceFund
    uint256 public bookedBalance;
    /// @inheritdoc IInsuranceFund
    uint256 public target;

    /// @param admin Governance (the timelock): the only one that can withdraw.
    constructor(
        IProtocolLock lock_,
        address asset_,
        IPool pool_,
        address liquidator_,
        address admin,
        address riskManager,
        uint256 target_
    ) ProtocolGuarded(lock_) {
        if (asset_ == address(0) || address(pool_) == address(0) || liquidator_ == address(0)) {
            revert ZeroAddress();
        }
        asset = asset_;
        pool = pool_;
        liquidator = liquidator_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_MANAGER_ROLE, riskManager);
        target = target_;
        emit TargetSet(target_);
        (_member0, _member1, _member2, _member3) = _members(lock_);
        // The Pool pulls swept excess from the fund.
        IERC20(asset_).forceApprove(address(pool_), type(uint256).max);
    }

    /// @inheritdoc IInsuranceFund
    /// @dev Not guarded by the shared lock when a lock member funds it mid-operation (the Liquidator, the
    /// MarginEngine or a product the Pool added: they hold the lock); anyone else takes the lock.
    function fund(uint256 amount, bytes32 reason) external {
        if (amount == 0) revert ZeroAmount();
        bool external_ = !_isCoreMember(msg.sender) && !protocolLock.isMember(msg.sender);
        if (external_) protocolLock.lock();
        uint256 before = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(asset).balanceOf(address(this)) - before;
        bookedBalance += received;
        emit Funded(msg.sender, received, reason);
        if (external_) protocolLock.unlock();
    }

    function _members(IProtocolLock lock_) private view returns (address, address, address, address) {
        address[4] memory m = lock_.members();
        return (m[0], m[1], m[2], m[3]);
    }

    /// @dev `IProtocolLock.isMember` for the core members, from the same (immutable) list; a product added later is
    /// asked of the lock.
    function _isCoreMember(address account) private view returns (bool) {
        return account == _member0 || account == _member1 || account == _member2 || account == _member3;
    }

    /// @inheritdoc IInsuranceFund
    function cover(uint256 deficit) external returns (uint256 uncovered) {
        if (msg.sender != liquidator) revert Unauthorized(msg.sender);
        uint256 available = bookedBalance;
        uint256 covered = deficit < available ? deficit : available;
        uncovered = deficit - covered;
        if (covered != 0) {
            bookedBalance = available - covered;
            IERC20(asset).safeTransfer(msg.sender, covered);
        }
        emit Covered(deficit, covered, uncovered);
    }

    /// @inheritdoc IInsuranceFund
    function sweep() external guarded returns (uint256 amount) {
        uint256 available = bookedBalance;
        if (available <= target) revert NothingToSweep(available, target);
        amount = available - target;
        bookedBalance = target;
        pool.receiveInsuranceExcess(amount);
        emit Swept(amount, msg.sender);
    }

    /// @inheritdoc IInsuranceFund
    function setTarget(uint256 target_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        target = target_;
        emit TargetSet(target_);
    }

    /// @inheritdoc IInsuranceFund
    function withdraw(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) guarded {
        if (to == address(0)) revert ZeroAddress();
        uint256 available = bookedBalance;
        if (amount > available) revert InsufficientBalance(amount, available);
        bookedBalance = available - amount;
        IERC20(asset).safeTransfer(to, amount);
        emit GovernanceWithdrawal(to, amount);
    }
}
