"""The web server: the page, its vendored libraries, the model folders and a small JSON API.

Pipeline stage 6 (serve). Everything is served from this machine; the Content-Security-Policy
allows nothing else, so the page works, and is known to work, with no network at all.

Models are looked up afresh on every request that touches them (`catalog.Catalog` re-checks a
folder only when its files change), so a model re-exported while the server runs is listed,
versioned and served as it is now. The page asks for `model.json?v=VERSION`; only a request
whose `v` is the model's current version may be cached forever.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
import webbrowser
from pathlib import Path, PurePosixPath

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from . import catalog, read_api

WEB_DIR = Path(__file__).parent / "web"
VENDOR_FILES = (
    "tf.es2017.min.js",
    "tf-backend-wasm.es2017.min.js",
    "chart.umd.min.js",
    "tfjs-backend-wasm.wasm",
    "tfjs-backend-wasm-simd.wasm",
    "tfjs-backend-wasm-threaded-simd.wasm",
)
# 'wasm-unsafe-eval' lets the page compile TF.js's WebAssembly; it allows no JavaScript eval.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
MAX_URL_LENGTH = 2048
# uvicorn's h11 parser answers 400 once a request head grows past this; browsers send a few KiB.
MAX_HEADER_BYTES = 64 * 1024
GZIP_MINIMUM_BYTES = 512
# Text and WebAssembly shrink about 3× under gzip; model weights (dense float16/32) only ~8%, for
# 2.5× less throughput, so shards and images go as they are.
COMPRESSIBLE_TYPES = frozenset(
    {"text/html", "text/css", "text/javascript", "application/json", "image/svg+xml", "application/wasm"}
)

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".js")
log = logging.getLogger("digitdraw")


class LiveModels:
    """The models folder as it is now, warning once about each broken model as it appears."""

    def __init__(self, directory: Path):
        self.catalog = catalog.Catalog(directory)
        self._reported: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def current(self) -> tuple[list[catalog.ModelInfo], list[str]]:
        models, problems = self.catalog.current()
        self._warn_about_new(problems)
        return models, problems

    def find(self, name: str) -> catalog.ModelInfo | None:
        return next((m for m in self.current()[0] if m.name == name), None)

    def _warn_about_new(self, problems: list[str]) -> None:
        # Forgetting fixed problems means one that comes back is reported again.
        with self._lock:
            new = [p for p in problems if p not in self._reported]
            self._reported = frozenset(problems)
        for problem in new:
            log.warning("left out a broken model: %s", problem)


class PageFiles(StaticFiles):
    """The page's own files: they change with the code, so browsers revalidate them every time
    (StaticFiles answers 304 when the ETag or Last-Modified still matches)."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = REVALIDATE
        return response


def _compressible(path: str) -> bool:
    """Whether the answer to `path` is text worth gzipping, judged by the file name asked for.
    Paths without a suffix are the page (/) and the JSON API."""
    if not PurePosixPath(path).suffix:
        return True
    return mimetypes.guess_type(path)[0] in COMPRESSIBLE_TYPES


class TextOnlyGZip:
    """Starlette's GZipMiddleware for text only; model shards, WebAssembly and images pass untouched
    (GZipMiddleware alone compresses every type above a size)."""

    def __init__(self, app: ASGIApp, minimum_size: int = GZIP_MINIMUM_BYTES):
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _compressible(scope["path"]):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _listing(model: catalog.ModelInfo) -> dict:
    """A model as /api/models lists it: its summary, where to load it, and no server paths."""
    return {
        **model.summary(),
        "path": None,
        "url": f"/models/{model.name}/model.json?v={model.version}",
        "version": model.version,
    }


def _warn_if_vendor_missing() -> None:
    missing = [name for name in VENDOR_FILES if not (WEB_DIR / "vendor" / name).is_file()]
    if missing:
        log.warning(
            "vendored libraries missing (%s): run `make web` to copy them from node_modules", ", ".join(missing)
        )


def create_app(models_dir: Path | None = None) -> FastAPI:
    models = LiveModels(Path(models_dir) if models_dir else catalog.BUNDLED_DIR)
    models.current()  # report broken models at start-up, not on the first request
    _warn_if_vendor_missing()

    app = FastAPI(title="digitdraw", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(TextOnlyGZip)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        if len(str(request.url)) > MAX_URL_LENGTH:
            return JSONResponse({"detail": "URL too long"}, status_code=414)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.api_route("/healthz", methods=["GET", "HEAD"])
    def healthz():
        found, problems = models.current()
        return {"status": "ok", "models": len(found), "broken_models": len(problems)}

    @app.api_route("/api/models", methods=["GET", "HEAD"])
    def list_models():
        found, problems = models.current()
        return {
            "default": found[0].name if found else None,
            "models": [_listing(m) for m in found],
            "problems": problems,
        }

    @app.api_route("/models/{name}/{filename}", methods=["GET", "HEAD"])
    async def model_file(name: str, filename: str, request: Request):
        info = await run_in_threadpool(models.find, name)  # may re-hash the shards: off the event loop
        if info is None:
            raise HTTPException(status_code=404, detail=f"no model called {name!r}")
        # StaticFiles confines the lookup to the folder (404 for traversal, directories and null
        # bytes) and answers 304 by a stat-based ETag, which changes whenever the file does.
        response = await StaticFiles(directory=info.path, check_dir=False).get_response(filename, request.scope)
        response.headers["Cache-Control"] = IMMUTABLE if request.query_params.get("v") == info.version else REVALIDATE
        return response

    app.state.readers = read_api.Readers(models)
    app.include_router(read_api.router)

    # Last, so the routes above win; html=True answers / with index.html.
    app.mount("/", PageFiles(directory=WEB_DIR, html=True), name="page")

    app.state.models = models
    return app


def run(host: str = "127.0.0.1", port: int = 8000, models_dir: str | None = None, open_browser: bool = False) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    app = create_app(Path(models_dir) if models_dir else None)
    names = ", ".join(m.name for m in app.state.models.current()[0]) or "none"
    url = f"http://{host if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}/"
    print(f"digitdraw: serving {names} at {url}", flush=True)
    if open_browser:
        webbrowser.open(url)
    # h11 rather than httptools: only h11 bounds the request head (httptools reads a header of any size).
    uvicorn.run(
        app, host=host, port=port, log_level="warning", http="h11", h11_max_incomplete_event_size=MAX_HEADER_BYTES
    )
    return 0
