"""Keep TensorFlow's C++ start-up chatter off the terminal, and nothing else.

TensorFlow 2.21 writes lines such as "WARNING: All log messages before absl::InitializeLog() is
called are written to STDERR" and "I0000 … oneDNN custom operations are on" straight to file
descriptor 2, before its own log level (TF_CPP_MIN_LOG_LEVEL) is consulted, so no setting hides
them; to a user they look like failures. This routes fd 2 through a pipe and drops exactly
those lines; every other byte reaches stderr unchanged, and the pipe is drained at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import sys
import threading

NOISE = re.compile(
    rb"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|I\d{4} [\d:.]+ +\d+ \S+:\d+\]"  # absl INFO lines (oneDNN, CPU features)
    rb"|E\d{4} [\d:.]+ +\d+ \S+:\d+\] .*use_unbounded_threadpool)"
)
CHUNK = 65536
_installed = False


def _write(out, data: bytes) -> None:
    """Write to the terminal; if it is gone (a closed pipe), drop the text but keep draining."""
    with contextlib.suppress(OSError):
        out.write(data)


def filter_tensorflow_noise() -> None:
    """From now until exit, drop TensorFlow's start-up lines from this process's stderr."""
    global _installed
    if _installed:
        return
    _installed = True
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    terminal = os.dup(2)
    restore = os.dup(2)
    os.dup2(write_end, 2)
    os.close(write_end)

    def pump() -> None:
        pending = b""
        with os.fdopen(read_end, "rb", buffering=0) as source, os.fdopen(terminal, "wb", buffering=0) as out:
            while chunk := source.read(CHUNK):
                lines = (pending + chunk).split(b"\n")
                pending = lines.pop()
                kept = [line + b"\n" for line in lines if not NOISE.match(line)]
                if b"\r" in pending:  # a progress bar redraws its line: show it now
                    cut = pending.rindex(b"\r") + 1
                    kept.append(pending[:cut])
                    pending = pending[cut:]
                _write(out, b"".join(kept))
            _write(out, pending)

    thread = threading.Thread(target=pump, name="stderr-filter", daemon=True)
    thread.start()

    def drain() -> None:
        sys.stderr.flush()
        os.dup2(restore, 2)  # the pipe's last writer is gone: the pump reads to the end and stops
        os.close(restore)
        thread.join(timeout=5)

    atexit.register(drain)
