"""The web server: the static site (app/site.py) built at start, plus a small JSON API.

Pipeline stage 6 (serve). The page is served exactly as `digitdraw build-site` writes it for a
static host (one code path), from a temporary folder; everything comes from this machine and the
Content-Security-Policy allows nothing else, so the page works, and is known to work, with no
network at all.

Models are looked up afresh on every request that touches them (`catalog.Catalog` re-checks a
folder only when its files change): a model re-exported while the server runs is copied into the
site under its new version and listed in models.json at once. Files under a version or a hash
never change and may be cached forever; the rest revalidates.

For existing clients, /api/models still lists the models at /models/NAME/model.json?v=VERSION;
only a request whose `v` is the model's current version may be cached forever there.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import tempfile
import threading
import webbrowser
from pathlib import Path, PurePosixPath

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from . import catalog, read_api, site

# 'wasm-unsafe-eval' lets the page compile TF.js's WebAssembly; it allows no JavaScript eval.
# frame-ancestors: who may show the pages in a frame (`--frame-ancestors`); nobody by default.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors {frame_ancestors}; form-action 'none'"
)
NO_FRAMING = "'none'"
# A CSP source: a keyword, a scheme ("https:") or a host with optional scheme, port and path.
FRAME_SOURCE = re.compile(
    r"'(?:self|none)'|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?[a-z0-9*.-]+(?::[0-9*]+)?(?:/[^\s;,']*)?", re.I
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

# Paths in the site whose content never changes (app/HASH/, lib/HASH/, models/NAME/VERSION/).
VERSIONED_PATH = re.compile(r"^/(app|lib)/[0-9a-f]+/|^/models/[^/]+/[0-9a-f]+/")

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/manifest+json", ".webmanifest")
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


class SiteFolder:
    """The built site, its models kept in step with the models folder (rewritten when it changes)."""

    def __init__(self, models: LiveModels):
        self.models = models
        self._folder = tempfile.TemporaryDirectory(prefix="digitdraw-site-")  # removed with the app
        self.path = Path(self._folder.name)
        self._lock = threading.Lock()
        self._written: tuple | None = None
        site.write_shell(self.path)
        self.refresh()

    def refresh(self) -> None:
        """Copy new model versions in and rewrite models.json, if the models changed since last time."""
        found, problems = self.models.current()
        state = (tuple((m.name, m.version) for m in found), tuple(problems))
        with self._lock:
            if state != self._written:
                site.write_models(self.path, found, problems)
                self._written = state


def _content_type(path: str) -> str:
    """The type FileResponse would give `path` itself (not its .gz copy)."""
    media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


class SiteFiles(StaticFiles):
    """The site's files: versioned ones cached forever, the rest revalidated every time
    (StaticFiles answers 304 when the ETag or Last-Modified still matches), and the build's
    gzipped copy sent to browsers that accept it."""

    def __init__(self, folder: SiteFolder):
        super().__init__(directory=folder.path, html=True)
        self.folder = folder

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path == site.MODEL_LIST or PurePosixPath(path).parts[:1] == ("models",):
            await run_in_threadpool(self.folder.refresh)  # may copy and hash a model: off the event loop
        wanted = "index.html" if path in (".", "") else path
        accepts_gzip = b"gzip" in dict(scope["headers"]).get(b"accept-encoding", b"")
        if accepts_gzip and (self.folder.path / f"{wanted}.gz").is_file():
            response = await super().get_response(f"{wanted}.gz", scope)
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Content-Type"] = _content_type(wanted)
        else:
            response = await super().get_response(path, scope)
        response.headers["Vary"] = "Accept-Encoding"
        return response

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE if VERSIONED_PATH.match(scope["path"]) else REVALIDATE
        return response


def frame_ancestors_policy(sources: str | None) -> str:
    """The CSP `frame-ancestors` value for `--frame-ancestors` (None: nobody may frame the pages).

    Raises ValueError naming the part that is not a CSP source (a `;` or `,` would smuggle in
    another directive or policy)."""
    if sources is None:
        return NO_FRAMING
    parts = sources.split()
    bad = [part for part in parts if not FRAME_SOURCE.fullmatch(part)]
    if not parts or bad:
        shown = ", ".join(bad) or "nothing"
        raise ValueError(
            f"--frame-ancestors: {shown} is not a CSP source; give origins separated by spaces, "
            "e.g. \"'self' https://example.org\""
        )
    if NO_FRAMING in parts and len(parts) > 1:
        raise ValueError("--frame-ancestors: 'none' cannot be combined with other sources")
    return " ".join(parts)


def _cross_origin_readable(request: Request) -> bool:
    """The static files (pages, modules, libraries, models, models.json) may be read by pages on
    any site (CORS), for embedding; the JSON API keeps to same-origin callers."""
    return request.method in ("GET", "HEAD") and not request.url.path.startswith("/api/")


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


def create_app(models_dir: Path | None = None, frame_ancestors: str | None = None) -> FastAPI:
    """The app; `frame_ancestors`: the origins that may frame its pages (CSP sources, space-separated)."""
    policy = CONTENT_SECURITY_POLICY.format(frame_ancestors=frame_ancestors_policy(frame_ancestors))
    models = LiveModels(Path(models_dir) if models_dir else catalog.BUNDLED_DIR)
    folder = SiteFolder(models)  # reports broken models at start-up, not on the first request

    app = FastAPI(title="digitdraw", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(TextOnlyGZip)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        if len(str(request.url)) > MAX_URL_LENGTH:
            return JSONResponse({"detail": "URL too long"}, status_code=414)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if _cross_origin_readable(request):
            response.headers["Access-Control-Allow-Origin"] = "*"
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
    app.mount("/", SiteFiles(folder), name="site")

    app.state.models = models
    app.state.site = folder
    return app


def run(
    host: str = "127.0.0.1",
    port: int = 8000,
    models_dir: str | None = None,
    open_browser: bool = False,
    frame_ancestors: str | None = None,
) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    app = create_app(Path(models_dir) if models_dir else None, frame_ancestors)
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
