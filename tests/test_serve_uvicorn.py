"""`digitdraw serve` for real (uvicorn on a loopback port): limits that only a socket shows."""

import socket
import urllib.parse
import urllib.request

import pytest

from digitdraw.bench.browser import running_server

HUGE_HEADER_BYTES = 1024 * 1024
SOCKET_TIMEOUT_S = 10


def send_unfinished_huge_header(port: int) -> bytes:
    """Send a request head with a 1 MiB header and never finish it; return what the server answers
    (b"" if it just closes). A server that reads the whole header waits for the rest: the test fails."""
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * HUGE_HEADER_BYTES
    with socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT_S) as connection:
        try:
            connection.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server gave up on the request while it was still being sent
        except TimeoutError:
            pytest.fail("the server stopped reading but neither answered nor closed the connection")
        try:
            return connection.recv(4096)
        except ConnectionResetError:
            return b""
        except TimeoutError:
            pytest.fail(f"no answer within {SOCKET_TIMEOUT_S} s: the server is still reading the header")


def test_an_oversized_request_head_is_refused_and_the_server_carries_on():
    with running_server() as url:
        answer = send_unfinished_huge_header(urllib.parse.urlsplit(url).port)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer[:200]
        with urllib.request.urlopen(url + "/healthz", timeout=SOCKET_TIMEOUT_S) as response:
            assert response.status == 200
