"""Browser fixtures: the real server on a free loopback port, Debian's Chromium via Playwright."""

import os
from pathlib import Path

import pytest

from digitdraw.bench import browser as drive

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

if not os.path.exists(drive.CHROMIUM):
    pytest.skip(
        f"{drive.CHROMIUM} is missing: `make test` as root installs it (apt-get install chromium)",
        allow_module_level=True,
    )


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": drive.CHROMIUM, "args": drive.CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def server_url():
    with drive.running_server() as url:
        yield url


@pytest.fixture
def watched_page(page, server_url):
    """A page whose console errors, page errors and off-machine requests are recorded."""
    page.problems = []
    page.external_requests = []

    def route(route_request):
        url = route_request.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            route_request.continue_()
        else:
            page.external_requests.append(url)
            route_request.abort()

    page.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


@pytest.fixture
def ready_page(watched_page, server_url):
    watched_page.goto(server_url + "/")
    watched_page.wait_for_selector(drive.READY, timeout=30_000)
    return watched_page


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
