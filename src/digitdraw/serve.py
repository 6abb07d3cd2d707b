"""The web server: the page, its vendored libraries, the model folders and a small JSON API.

Pipeline stage 6 (serve). Everything is served from this machine; the Content-Security-Policy
allows nothing else, so the page works, and is known to work, with no network at all.
"""

from __future__ import annotations

import logging
import mimetypes
import webbrowser
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response

from . import catalog

WEB_DIR = Path(__file__).parent / "web"
VENDOR_FILES = ("tf.es2017.min.js", "tf-backend-wasm.es2017.min.js", "chart.umd.min.js", "tfjs-backend-wasm.wasm",
                "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm")
# 'wasm-unsafe-eval' lets the page compile TF.js's WebAssembly; it allows no JavaScript eval.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
MAX_URL_LENGTH = 2048

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".js")
log = logging.getLogger("digitdraw")


def _inside(root: Path, relative: str) -> Path:
    """Resolve `relative` under `root`; 404 for anything that escapes it or is not a file."""
    root = root.resolve()
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        raise HTTPException(status_code=404, detail="not found")
    return candidate


def create_app(models_dir: Path | None = None) -> FastAPI:
    models_dir = Path(models_dir) if models_dir else catalog.BUNDLED_DIR
    models, problems = catalog.scan(models_dir)
    for problem in problems:
        log.warning("left out a broken model: %s", problem)
    by_name = {m.name: m for m in models}
    # A model's version is the hash of its weights: the page asks for model.json?v=HASH, and
    # files asked for with the current hash may be cached forever.
    versions = {m.name: "".join(f["sha256"][:8] for f in m.metadata.get("format", {}).get("files", {}).values())
                or "unversioned" for m in models}
    missing_vendor = [name for name in VENDOR_FILES if not (WEB_DIR / "vendor" / name).is_file()]
    if missing_vendor:
        log.warning("vendored libraries missing (%s): run `make web` to copy them from node_modules",
                    ", ".join(missing_vendor))

    app = FastAPI(title="digitdraw", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(GZipMiddleware, minimum_size=512)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        if len(str(request.url)) > MAX_URL_LENGTH:
            return JSONResponse({"detail": "URL too long"}, status_code=414)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "models": len(models), "broken_models": len(problems)}

    @app.get("/api/models")
    def list_models():
        return {
            "default": models[0].name if models else None,
            "models": [{**m.summary(), "path": None, "url": f"/models/{m.name}/model.json?v={versions[m.name]}",
                        "version": versions[m.name]} for m in models],
            "problems": problems,
        }

    @app.get("/models/{name}/{filename}")
    def model_file(name: str, filename: str, request: Request):
        info = by_name.get(name)
        if info is None:
            raise HTTPException(status_code=404, detail=f"no model called {name!r}")
        path = _inside(info.path, filename)
        etag = f'"{versions[name]}-{path.name}"'
        cache = IMMUTABLE if request.query_params.get("v") == versions[name] else REVALIDATE
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
        return FileResponse(path, headers={"ETag": etag, "Cache-Control": cache})

    @app.get("/")
    def index():
        return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": REVALIDATE})

    @app.get("/{relative:path}")
    def static(relative: str):
        path = _inside(WEB_DIR, relative)
        return FileResponse(path, headers={"Cache-Control": REVALIDATE})

    app.state.models = models
    app.state.problems = problems
    return app


def run(host: str = "127.0.0.1", port: int = 8000, models_dir: str | None = None, open_browser: bool = False) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    app = create_app(Path(models_dir) if models_dir else None)
    names = ", ".join(m.name for m in app.state.models) or "none"
    url = f"http://{host if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}/"
    print(f"digitdraw: serving {names} at {url}", flush=True)
    if open_browser:
        webbrowser.open(url)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
