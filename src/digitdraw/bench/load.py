"""Load figures for POST /api/read: requests per second and latency at N concurrent clients.

The real server (uvicorn, in a subprocess so that the clients do not share its interpreter)
on a free loopback port; `clients` httpx clients each post the strokes of a 1–4-digit number
(bench/numbers.py's handwritten-style numbers) and post again as soon as the answer comes,
for `seconds` after a warm-up. Clients and server share this machine's cores, so the figures
are what one machine does for itself, not what a server does for remote clients.

    python -m digitdraw.bench.load [--clients 50] [--seconds 20] [--compare]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import subprocess
import sys
import time
import urllib.request

import numpy as np

from .browser import free_port

CLIENTS = 50
SECONDS = 20.0
WARM_UP_SECONDS = 3.0
MAX_DIGITS = 4
NUMBERS = 40  # distinct numbers the clients cycle through
START_TIMEOUT_S = 60
COMPARED_WINDOW_S = 0.002


def number_bodies(count: int = NUMBERS, max_digits: int = MAX_DIGITS) -> list[dict]:
    """`count` request bodies: the strokes of numbers of 1 to `max_digits` digits."""
    from .. import data
    from . import numbers

    mnist = data.load_mnist()
    items, size = [], count
    while len(items) < count:
        items = [item for item in numbers.build(size, mnist.test) if len(item.digits) <= max_digits][:count]
        size *= 2
    return [{"strokes": [np.round(s, 1).tolist() for s in item.strokes]} for item in items]


def _start_server(batching: bool, window: float | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "digitdraw.bench.load", "--serve-on", str(port)]
    command += [] if window is None else ["--window", str(window)]
    process = subprocess.Popen([*command, *([] if batching else ["--no-batching"])], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)


async def _drive(url: str, bodies: list[dict], clients: int, seconds: float) -> tuple[list[float], int]:
    """Latencies (s) of the successful requests, and the count of failed ones."""
    import httpx

    latencies: list[float] = []
    failures = 0
    cycle = itertools.cycle(bodies)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def one_client() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.post("/api/read", json=next(cycle))
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    failures += 1

        await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, failures


def measure(
    batching: bool = True, clients: int = CLIENTS, seconds: float = SECONDS, bodies=None, window: float | None = None
) -> dict:
    """Start the server, warm it up (the model loads on the first request), then measure.
    `window`: the batcher's wait before each model call (default: read_api.BATCH_WINDOW_S)."""
    from ..app.read_api import BATCH_WINDOW_S

    bodies = bodies or number_bodies()
    window = BATCH_WINDOW_S if window is None else window
    process, url = _start_server(batching, window)
    try:
        asyncio.run(_drive(url, bodies, clients, WARM_UP_SECONDS))
        started = time.perf_counter()
        latencies, failures = asyncio.run(_drive(url, bodies, clients, seconds))
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)
    ms = sorted(1000 * t for t in latencies)
    return {
        "batching": f"{window * 1000:g} ms window" if batching else "off",
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "failures": failures,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "median_ms": round(statistics.median(ms), 1) if ms else None,
        "p99_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 1) if ms else None,
    }


def markdown(figures: list[dict]) -> str:
    """A small table of `measure`'s results."""
    lines = [
        "| batching | clients | requests/s | median ms | p99 ms | requests | failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| {f['batching']} | {f['clients']} | {f['requests_per_s']} | {f['median_ms']} "
            f"| {f['p99_ms']} | {f['requests']} | {f['failures']} |"
        )
    return "\n".join(lines)


def _serve(port: int, batching: bool, window: float) -> None:
    """The server under test: `digitdraw serve` with batching on or off."""
    import uvicorn

    from ..app import read_api, serve

    app = serve.create_app()
    app.state.readers = read_api.Readers(app.state.models, batching=batching, window=window)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", http="h11")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitdraw.bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--compare", action="store_true", help="measure without batching, and with a 2 ms window, too")
    parser.add_argument("--window", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--serve-on", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-batching", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_on:
        _serve(args.serve_on, not args.no_batching, args.window)
        return 0
    bodies = number_bodies()
    figures = [measure(True, args.clients, args.seconds, bodies)]
    if args.compare:
        figures.append(measure(True, args.clients, args.seconds, bodies, window=COMPARED_WINDOW_S))
        figures.append(measure(False, args.clients, args.seconds, bodies))
    print(markdown(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
