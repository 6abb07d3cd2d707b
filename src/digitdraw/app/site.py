"""The page as a static site: one folder that any static host serves, at its root or under a sub-path.

    OUT/index.html             the page; every URL in it is relative
    OUT/embed.html             an example page that embeds <digit-pad> (README, "Embed it in your page")
    OUT/digitdraw.js           stable addresses of the embedding API and of <digit-pad>, for other
    OUT/digit-pad.js             pages: they point into app/HASH/ and know the site's lib/ and models.json
    OUT/models.json            the model list (what /api/models was), relative URLs
    OUT/sw.js                  service worker: offline after the first visit
    OUT/manifest.webmanifest   installable app
    OUT/app/HASH/...           the page's own files (js/, style.css, config.json, icon)
    OUT/lib/HASH/...           the bundled libraries and their WebAssembly (`make web`)
    OUT/models/NAME/VERSION/   each model: model.json, weight shards, metadata.json
    *.gz                       gzipped copies of text and WebAssembly, for servers that use them

Files under a hash or a version never change, so hosts and the service worker may cache them
forever; the files at the top (pages, models.json, sw.js, the manifest, the entries) are the only
ones that do. `digitdraw
serve` serves this very folder (built at start) and rewrites its models part when a model
folder changes (`write_models`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from ..config import DEFAULT_MODEL, SEGMENTER
from ..tfjs import MODEL_FILE
from . import catalog

WEB_DIR = Path(__file__).parent / "web"
VENDOR_DIR = WEB_DIR / "vendor"
SERVICE_WORKER = Path(__file__).parent / "sw.js"
# What `make web` (bundles/build.mjs) writes to web/vendor: without these the page cannot run.
VENDOR_FILES = ("tfjs.min.js", "chart.min.js", "tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm")
MODEL_LIST = "models.json"
MANIFEST = "manifest.webmanifest"
ROOT_FILES = ("index.html", MODEL_LIST, "sw.js", MANIFEST)  # what makes a folder a site (an older build too)
PAGES = ("index.html", "embed.html")
# Stable module at the site's root → the page module it stands for.
EMBED_ENTRIES = {"digitdraw.js": "js/digitdraw.js", "digit-pad.js": "js/digit-pad.js"}
HASH_CHARS = 12
# Text and WebAssembly shrink about 3× under gzip; model weights (dense float16) only ~8%, so
# shards and images are never compressed.
COMPRESSIBLE_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".svg", ".wasm", ".webmanifest", ".txt"})
GZIP_MINIMUM_BYTES = 512
GZIP_WORTH = 0.9  # keep a .gz copy only if it is at least 10% smaller
# src="…" / href="…" in a page: rewritten to the versioned copies.
LOCAL_URL = re.compile(r'\b(src|href)="(?![a-z][a-z0-9+.-]*:|/|#)([^"]+)"')
MODULE_SCRIPT = re.compile(r'<script type="module" src="([^"]+)"')
# A module's imports of its neighbours (the page's modules import only './NAME.js').
LOCAL_IMPORT = re.compile(r"^(?:import|export)\b[^;'\"]*'\./([\w.-]+\.js)'", re.M)


class SiteError(RuntimeError):
    """The site cannot be built; the message says what is missing and what to do."""


def _digest(files: list[Path], root: Path) -> str:
    hasher = hashlib.sha256()
    for file in files:
        hasher.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return hasher.hexdigest()[:HASH_CHARS]


def _shell_files() -> list[Path]:
    """The page's own files: everything in web/ but the vendored libraries and the pages."""
    return sorted(
        p
        for p in WEB_DIR.rglob("*")
        if p.is_file() and VENDOR_DIR not in p.parents and p.name not in PAGES and not p.name.startswith(".")
    )


def _vendor_files() -> list[Path]:
    missing = [name for name in VENDOR_FILES if not (VENDOR_DIR / name).is_file()]
    if missing:
        raise SiteError(
            f"the bundled libraries are missing from {VENDOR_DIR} ({', '.join(missing)}): run `make web` "
            "(it bundles them from node_modules with esbuild)"
        )
    return sorted(p for p in VENDOR_DIR.iterdir() if p.is_file() and not p.name.startswith("."))


def _copy_versioned(files: list[Path], root: Path, out: Path, kind: str) -> str:
    """Copy `files` (relative to `root`) to out/KIND/HASH/; return that folder's URL."""
    folder = f"{kind}/{_digest(files, root)}"
    for file in files:
        target = out / folder / file.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    return folder


def _rewrite_page(html: str, app: str, lib: str, name: str = "index.html") -> str:
    """A page with each local URL pointing at its versioned copy; fails on a URL with no file."""

    def versioned(match: re.Match) -> str:
        attribute, url = match.groups()
        if url in ROOT_FILES or url in PAGES or url in EMBED_ENTRIES or url == "./":
            return match.group(0)
        path = PurePosixPath(url)
        if path.parts[0] == "vendor" and (VENDOR_DIR / path.relative_to("vendor")).is_file():
            return f'{attribute}="{lib}/{path.relative_to("vendor")}"'
        if (WEB_DIR / path).is_file() and ".." not in path.parts:
            return f'{attribute}="{app}/{path}"'
        raise SiteError(f"{name} refers to {url}, which is not a file in {WEB_DIR}")

    return LOCAL_URL.sub(versioned, html)


def _page_modules(html: str) -> list[str]:
    """Every module a page loads (web/js/ names): its module scripts and all they import."""
    waiting = [EMBED_ENTRIES.get(url, url) for url in MODULE_SCRIPT.findall(html)]
    found: set[str] = set()
    while waiting:
        url = waiting.pop()
        if url in found or not url.startswith("js/") or not (WEB_DIR / url).is_file():
            continue
        found.add(url)
        waiting += [f"js/{name}" for name in LOCAL_IMPORT.findall((WEB_DIR / url).read_text(encoding="utf-8"))]
    return sorted(found)


def _with_module_preloads(html: str, app: str, modules: list[str]) -> str:
    """A page announcing every module it loads at once: otherwise the browser finds main.js's
    imports only once main.js has arrived, one round trip later."""
    links = "".join(f'  <link rel="modulepreload" href="{app}/{url}">\n' for url in modules)
    return html.replace("</head>", links + "</head>", 1)


def _write_page(out: Path, name: str, app: str, lib: str) -> None:
    html = (WEB_DIR / name).read_text(encoding="utf-8")
    page = _with_module_preloads(_rewrite_page(html, app, lib, name), app, _page_modules(html))
    (out / name).write_text(page, encoding="utf-8")


def _write_embed_entries(out: Path, app: str, lib: str) -> None:
    """digitdraw.js and digit-pad.js at the root: what other pages import, under names that stay."""
    api = EMBED_ENTRIES["digitdraw.js"]
    (out / "digitdraw.js").write_text(
        "// Written by `digitdraw build-site`: digitdraw's API for other pages at an address that stays\n"
        '// (README, "Embed it in your page"), told where this site keeps its TF.js bundle and models.\n'
        f"import {{ configure }} from './{app}/{api}';\n\n"
        "configure({\n"
        "  modelsUrl: new URL('models.json', import.meta.url).href,\n"
        f"  library: new URL('{lib}/tfjs.min.js', import.meta.url).href,\n"
        "});\n"
        f"export * from './{app}/{api}';\n",
        encoding="utf-8",
    )
    (out / "digit-pad.js").write_text(
        "// Written by `digitdraw build-site`: the <digit-pad> element at an address that stays.\n"
        "import './digitdraw.js'; // first, so the element finds this site's files\n"
        f"export * from './{app}/{EMBED_ENTRIES['digit-pad.js']}';\n",
        encoding="utf-8",
    )


def _manifest(app: str, base_path: str | None) -> dict:
    # Relative start_url and scope resolve against the manifest's own URL, so the same file works
    # at any sub-path; --base-path pins them (and the app's identity) to one absolute path.
    where = base_path or "./"
    return {
        "name": "digitdraw — draw a digit",
        "short_name": "digitdraw",
        "description": "Write a digit or a whole number; neural networks in your browser read it.",
        "id": where,
        "start_url": where,
        "scope": where,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4ed8",
        "icons": [{"src": f"{app}/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }


def _service_worker(shell: list[str], build_id: str) -> str:
    """sw.js: the template with this build's id and the files it precaches."""
    build = json.dumps({"id": build_id, "shell": shell}, indent=1)
    return f"const BUILD = {build};\n\n{SERVICE_WORKER.read_text(encoding='utf-8')}"


def startup_models(models: list[catalog.ModelInfo]) -> list[str]:
    """The models the page loads before its first answer: the default and the segmenter."""
    names = [m.name for m in models]
    default = names[0] if names else None
    return [name for name in dict.fromkeys([default, SEGMENTER]) if name in names]


def _model_files(folder: Path) -> list[str]:
    document = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
    return [MODEL_FILE, *(path for group in document["weightsManifest"] for path in group["paths"])]


def _place_model(model: catalog.ModelInfo, models_root: Path) -> catalog.ModelInfo:
    """Copy a model into models_root/NAME/VERSION/, the version taken from the copy itself (so a
    model re-exported during the copy is never published under the version of other bytes)."""
    (models_root / model.name).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".copy-", dir=models_root / model.name))
    try:
        for name in [*_model_files(model.path), "metadata.json"]:
            shutil.copyfile(model.path / name, staging / name)
        copied = catalog.inspect(staging)
        target = models_root / model.name / copied.version
        if target.is_dir():
            shutil.rmtree(staging)
        else:
            staging.rename(target)
        return catalog.ModelInfo(model.name, target, copied.metadata, copied.version, copied.size_bytes)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def model_list(models: list[catalog.ModelInfo], problems: list[str]) -> dict:
    """models.json: what /api/models listed, with URLs relative to the page and each model's files."""
    entries = []
    for model in models:
        folder = f"models/{model.name}/{model.version}/"
        entries.append(
            {
                **model.summary(),
                "path": None,  # never a server path
                "url": folder + MODEL_FILE,
                "files": [folder + name for name in _model_files(model.path)],
            }
        )
    return {
        "default": models[0].name if models else None,
        "startup": startup_models(models),
        "models": entries,
        "problems": problems,
    }


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def compress(path: Path) -> None:
    """Write path.gz beside a compressible file when it is worth it; remove a stale one when not."""
    packed = path.with_name(path.name + ".gz")
    data = path.read_bytes()
    if path.suffix in COMPRESSIBLE_SUFFIXES and len(data) >= GZIP_MINIMUM_BYTES:
        smaller = gzip.compress(data, compresslevel=9, mtime=0)
        if len(smaller) <= GZIP_WORTH * len(data):
            _write_atomically(packed, smaller)
            return
    packed.unlink(missing_ok=True)


def write_models(out: Path, models: list[catalog.ModelInfo], problems: list[str]) -> dict:
    """Copy `models` into out/models/ and write out/models.json; drop versions no longer listed.
    Safe while the folder is being served: new versions land in new folders, the list last."""
    root = out / "models"
    placed = [_place_model(model, root) for model in models]
    for model in placed:
        for name in _model_files(model.path):
            compress(model.path / name)
    listing = model_list(placed, problems)
    _write_atomically(out / MODEL_LIST, json.dumps(listing, indent=1).encode())
    compress(out / MODEL_LIST)
    keep = {model.path for model in placed}
    for folder in root.glob("*/*"):
        if folder.is_dir() and folder not in keep and not folder.name.startswith("."):
            shutil.rmtree(folder, ignore_errors=True)
    return listing


def choose_models(models_dir: Path, names: list[str] | None) -> tuple[list[catalog.ModelInfo], list[str]]:
    """The valid models in `models_dir` (default first), or just `names`; an unknown name is an error."""
    models, problems = catalog.scan(models_dir)
    if not names:
        return models, problems
    by_name = {m.name: m for m in models}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        offered = ", ".join(by_name) or "none"
        raise SiteError(f"no valid model called {', '.join(unknown)} in {models_dir} (there are: {offered})")
    chosen = [by_name[name] for name in dict.fromkeys(names)]
    if DEFAULT_MODEL in names:  # the configured default opens the page, whatever the order given
        chosen.sort(key=lambda m: m.name != DEFAULT_MODEL)
    return chosen, problems


def _is_site(folder: Path) -> bool:
    return all((folder / name).is_file() for name in ROOT_FILES)


def write_shell(out: Path, base_path: str | None = None) -> list[str]:
    """Everything but the models: the page, its files, the libraries, the service worker, the manifest."""
    vendor = _vendor_files()
    lib = _copy_versioned(vendor, VENDOR_DIR, out, "lib")
    app = _copy_versioned(_shell_files(), WEB_DIR, out, "app")
    for name in PAGES:
        _write_page(out, name, app, lib)
    _write_embed_entries(out, app, lib)
    (out / MANIFEST).write_text(json.dumps(_manifest(app, base_path), indent=1, ensure_ascii=False), encoding="utf-8")
    # The precached shell: the page at the folder's own URL, and every file it loads at start.
    # The plain (non-SIMD) WebAssembly is only for old browsers: cached when one asks for it.
    shell = ["./", MANIFEST, *sorted(f"{app}/{p.relative_to(WEB_DIR).as_posix()}" for p in _shell_files())]
    shell += [f"{lib}/{p.name}" for p in vendor if p.suffix != ".txt" and p.name != "tfjs-backend-wasm.wasm"]
    (out / "sw.js").write_text(_service_worker(shell, f"{app[-HASH_CHARS:]}-{lib[-HASH_CHARS:]}"), encoding="utf-8")
    for file in out.rglob("*"):
        if file.is_file() and file.suffix != ".gz":
            compress(file)
    return shell


def check_base_path(base_path: str | None) -> str | None:
    if base_path is not None and not (base_path.startswith("/") and base_path.endswith("/")):
        raise SiteError(f"--base-path {base_path}: give the path the site is served under, e.g. /digitdraw/")
    return base_path


def build(
    out: Path,
    models_dir: Path = catalog.BUNDLED_DIR,
    names: list[str] | None = None,
    base_path: str | None = None,
) -> dict:
    """Build the site in `out` (empty, missing, or an earlier build, which is replaced only once the
    new one is complete); return its model list."""
    out = Path(out)
    check_base_path(base_path)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not _is_site(out))):
        raise SiteError(f"{out} is not empty and not a digitdraw site: give an empty or new folder")
    models, problems = choose_models(Path(models_dir), names)
    if not models:
        raise SiteError(f"no valid models in {models_dir}: {'; '.join(problems) or 'the folder is empty'}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        write_shell(staging, base_path)
        listing = write_models(staging, models, problems)
        staging.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return listing
