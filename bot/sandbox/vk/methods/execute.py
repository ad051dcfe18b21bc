"""execute: runs the `return [API.…(…), …];` programs vk_api's request pool sends."""

from __future__ import annotations

from typing import Any

from bot.sandbox.vk.errors import ApiError, missing
from bot.sandbox.vk.methods.base import CallContext, ExecuteResult, method
from bot.sandbox.vk.params import Params, to_param_string
from bot.sandbox.vk.vkscript import ScriptError, TooManyCalls, parse_program


@method("execute")
def execute(ctx: CallContext, params: Params) -> ExecuteResult:
    """execute: each inner call that fails becomes `false` plus an `execute_errors` entry."""
    code = params.text("code")
    if not code.strip():
        raise missing("code")
    try:
        program = parse_program(code)
    except TooManyCalls as error:
        raise ApiError(13, str(error)) from None
    except ScriptError as error:
        raise ApiError(12, str(error)) from None
    results: list[Any] = []
    errors: list[dict[str, Any]] = []
    for call in program.calls:
        values = {key: to_param_string(value) for key, value in call.params.items()}
        try:
            results.append(ctx.run_inner(ctx, call.method, values))
        except ApiError as error:
            # A failed inner call is `false` in the response and one entry in execute_errors.
            results.append(False)
            errors.append(
                {"method": call.method, "error_code": error.code, "error_msg": error.message}
            )
    response = results if program.returns_list else results[0]
    return ExecuteResult(response=response, errors=errors)
