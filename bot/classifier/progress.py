"""A one-line progress bar on standard error, for training that takes a while."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Redraws `[#####.....] 5/10 message` in place; silent when disabled.

    On a terminal the line is redrawn; elsewhere (logs, CI) each step is one line, so
    the output stays readable.
    """

    def __init__(self, *, enabled: bool = True, stream: TextIO | None = None, width: int = 30):
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.started = time.monotonic()
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.enabled:
            return
        total = max(total, 1)
        filled = int(self.width * min(done, total) / total)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.monotonic() - self.started
        line = f"[{bar}] {done}/{total} {elapsed:5.1f}s {message}"
        if self._interactive:
            self.stream.write("\r\033[K" + line)
            if done >= total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
