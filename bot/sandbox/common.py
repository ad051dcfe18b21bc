"""Pieces both sandbox servers share: starting on a free port and the call log."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class CallLog:
    """Every API call a sandbox answered, in order, for `GET /sandbox/log?since=N`."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    # The sandbox's clock, so log times agree with the dates in its objects.
    clock: Callable[[], float] = time.time

    def record(
        self,
        method: str,
        params: dict[str, Any],
        ok: bool,
        error_code: int | None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        entry: dict[str, Any] = {
            "seq": len(self.entries) + 1,
            "time": self.clock(),
            "method": method,
            "params": params,
            "ok": ok,
        }
        if error_code is not None:
            entry["error_code"] = error_code
        if extra:
            entry.update(extra)
        self.entries.append(entry)

    def since(self, seq: int) -> list[dict[str, Any]]:
        return [entry for entry in self.entries if entry["seq"] > seq]

    def clear(self) -> None:
        self.entries.clear()


class SandboxServer:
    """An aiohttp application that can be started in-process on a given or free port."""

    def __init__(self) -> None:
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start listening; port 0 picks a free one. Returns the base URL."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server  # aiohttp exposes the bound socket only here
        assert server is not None and server.sockets
        bound_port = server.sockets[0].getsockname()[1]
        self.base_url = f"http://{host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
