"""Constants and helpers of the attack suite (imported by its modules; `support.core` holds the model)."""

from support.core import WAD

ZERO = "0x" + "00" * 20
USD = WAD  # one dollar, in the contracts' WAD values


def selector(error) -> str:
    """The 4-byte selector of an ape custom-error class, as 0x-hex."""
    from eth_utils import function_signature_to_4byte_selector

    abi = error.abi
    types = ",".join(i.canonical_type for i in abi.inputs)
    return "0x" + function_signature_to_4byte_selector(f"{abi.name}({types})").hex()


def call(batcher_target, method, *args, allow_failure: bool = False) -> tuple:
    """One `Batcher.Call`: `method` of `batcher_target` (an ape contract) with `args`."""
    return (batcher_target.address, getattr(batcher_target, method).encode_input(*args), allow_failure)


def books_covered(pool, engine, insurance, tokens) -> bool:
    """docs/design.md#invariants (1) for the balances the contracts book per token: the Pool holds at least its
    reserves, the engine at least its collateral totals, the InsuranceFund at least its booked balance."""
    usdc = tokens["USDC"]
    for token in tokens.values():
        if token.balanceOf(pool) < pool.reserves(token):
            return False
        if token != usdc and token.balanceOf(engine) < engine.totalCollateral(token):
            return False
    return usdc.balanceOf(insurance) >= insurance.bookedBalance()


def words(results) -> list[int]:
    """The first 32-byte word of each static call's return data (a Batcher read), as integers."""
    return [int.from_bytes(bytes(r)[:32], "big") for r in results]


def all_words(result) -> list[int]:
    """Every 32-byte word of a static call's return data (a Batcher read), as integers."""
    data = bytes(result)
    return [int.from_bytes(data[i : i + 32], "big") for i in range(0, len(data), 32)]


def revert_name(attempt) -> str:
    """Run `attempt()` and return the name of the custom error it reverted with (decoded by ape), "Panic(0x..)"
    for a panic, or the raw revert message; fails if it does not revert."""
    from ape.exceptions import ContractLogicError, CustomError, VirtualMachineError

    try:
        attempt()
    except CustomError as err:
        return type(err).__name__
    except ContractLogicError as err:
        return str(err.revert_message)
    except VirtualMachineError as err:  # a panic
        return str(err)
    raise AssertionError("did not revert")
