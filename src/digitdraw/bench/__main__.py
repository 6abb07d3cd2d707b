"""`make bench`: retrain every model from scratch, measure it, write benchmarks.md and .json.

Not a test: nothing here asserts. Timings are medians of several runs on this machine.
  python -m digitdraw.bench --out-dir docs [--skip-training] [--models-dir DIR] [--count N] ...
With --skip-training it measures the models in --models-dir (default: the bundled ones); adding
`--again SECTION ...` measures only those sections again and keeps the rest of the report, which
then says what was measured again and when (after a change that touches only some figures).
Scratch files (retrained and re-quantised models) go to a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from .. import data, evaluate, tfjs
from ..app import catalog
from ..config import DEFAULT_MODEL, SEGMENTER
from ..models import RECIPES
from ..preprocess import to_model_input
from . import drawn as drawn_bench
from . import honesty, load, numbers_page, writers
from . import numbers as bench_numbers
from . import report as bench_report
from . import weight as bench_weight

RUNS = 5


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def throughput(model, images: np.ndarray, batch: int) -> float:
    """Median images/s over RUNS runs of Keras predict at `batch`."""
    count = 256 if batch == 1 else 4096
    sample = images[:count]
    model.predict(sample[:batch], batch_size=batch, verbose=0)
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        if batch == 1:
            for k in range(count):
                model(sample[k : k + 1], training=False)
        else:
            model.predict(sample, batch_size=batch, verbose=0)
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def quantisation_table(folder: Path, mnist, scratch: Path) -> dict:
    model = tfjs.load(folder)
    out = {}
    for quantize in (None, "float16", "uint8"):
        target = scratch / (quantize or "float32")
        tfjs.save(model, target, quantize=quantize)
        size = sum(p.stat().st_size for p in target.glob("*.bin"))
        accuracy = evaluate.score(tfjs.load(target), mnist.test)["accuracy"]
        out[quantize or "float32"] = {"weight_bytes": size, "accuracy": accuracy}
    return out


def measure_models(folders: dict[str, Path], models: dict, mnist, scratch: Path) -> dict:
    images = to_model_input(mnist.test.images)
    results = {}
    for name, folder in folders.items():
        metadata = tfjs.read_metadata(folder)
        model = models[name]
        results[name] = {
            "metadata": metadata,
            "accuracy": evaluate.score(model, mnist.test)["accuracy"],
            "batch1": throughput(model, images, 1),
            "batch256": throughput(model, images, 256),
            "quantisation": quantisation_table(folder, mnist, scratch / name),
        }
        print(f"measured {name}", flush=True)
    return results


def browser_figures(models_dir: Path, strokes_for_latency: int = 200) -> dict:
    """Ready time, pointer-up → prediction latency, bytes to first prediction, backend, per-model latency."""
    from playwright.sync_api import sync_playwright

    from . import browser

    figures: dict = {}
    one = [[(140, 50), (140, 110), (141, 170), (142, 230)]]
    with browser.running_server(models_dir) as url, sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        ready_times, transferred = [], []
        for _ in range(RUNS):
            context = chromium.new_context()  # cold cache every run
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            sizes: list[int] = []
            cdp.on("Network.loadingFinished", lambda event, sizes=sizes: sizes.append(event["encodedDataLength"]))
            started = time.perf_counter()
            page.goto(url + "/")
            page.wait_for_selector(browser.READY, timeout=60_000)
            ready_times.append(time.perf_counter() - started)
            browser.wait_for_sequence(page, browser.draw(page, one))
            page.wait_for_timeout(200)
            transferred.append(sum(sizes))
            figures["backend"] = page.inner_text("#status")
            figures["default_model"] = page.eval_on_selector('[data-testid="model"]', "s => s.value")
            context.close()
        figures["ready_seconds"] = ready_times
        figures["bytes_to_first_prediction"] = statistics.median(transferred)

        page = chromium.new_page(viewport={"width": 900, "height": 900})
        page.goto(url + "/")
        page.wait_for_selector(browser.READY)
        page.evaluate("""() => {
            window.__latencies = []; let upAt = 0;
            // capture phase on window: before the pad's own handler, which shows the result
            // within the same event dispatch (the prediction runs in microtasks)
            const pad = document.querySelector('[data-testid="pad"]');
            window.addEventListener('pointerup', (e) => {
                if (e.target === pad) upAt = performance.now();
            }, { capture: true });
            new MutationObserver(() => { if (upAt) { window.__latencies.push(performance.now() - upAt); upAt = 0; } })
              .observe(document.querySelector('[data-testid="prediction"]'), { attributeFilter: ['data-seq'] });
        }""")
        rng = np.random.default_rng(0)
        for _ in range(strokes_for_latency):
            browser.clear(page)
            x = rng.uniform(90, 190)
            browser.wait_for_sequence(page, browser.draw(page, [[(x, 50), (x + 5, 140), (x + 8, 230)]]))
        figures["pointer_up_to_prediction_ms"] = browser.latency_spread(page.evaluate("window.__latencies"))
        figures["inference_ms"] = {}
        for name in [m.name for m in catalog.scan(models_dir)[0]]:
            figures["inference_ms"][name] = page.evaluate(
                """async (url) => {
                const m = await tf.loadLayersModel(url); const x = tf.randomUniform([1, 28, 28, 1]);
                for (let i = 0; i < 10; i++) tf.tidy(() => m.predict(x).dataSync());
                const t = [];
                for (let i = 0; i < 100; i++) {
                    const s = performance.now();
                    tf.tidy(() => m.predict(x).dataSync());
                    t.push(performance.now() - s);
                }
                t.sort((a, b) => a - b); x.dispose(); m.dispose(); return [t[50], t[95]];
            }""",
                f"/models/{name}/model.json",
            )
        chromium.close()
    return figures


def number_figures(models: dict, models_dir: Path, mnist, count: int, on_page: int) -> dict | None:
    """The number benchmark's final part with the default model and the segmenter (config.json's
    settings), `on_page` of its numbers replayed on the served page, and half as many written
    with a finger on a phone-sized page."""
    from ..numbers import NumberReader
    from . import browser

    if DEFAULT_MODEL not in models or SEGMENTER not in models:
        return None
    report = bench_numbers.benchmark(models[DEFAULT_MODEL], models[SEGMENTER], mnist.test, count)
    if on_page:
        items = [item for item in bench_numbers.build(count, mnist.test) if item.part == "final"][:on_page]
        reader = NumberReader.for_model(models[DEFAULT_MODEL], models[SEGMENTER])
        with browser.running_server(models_dir) as url:
            report["page"] = numbers_page.page_figures(url, items, reader)
            report["page_phone"] = numbers_page.page_figures(url, items[: on_page // 2], reader, phone=True)
    return report


def writer_figures(models: dict, models_dir: Path, mnist) -> dict | None:
    """The writer benchmark with the default model, and teaching in the served page."""
    from . import browser

    if DEFAULT_MODEL not in models:
        return None
    report = writers.benchmark(models[DEFAULT_MODEL], mnist.test)
    _, drawings = writers.build(mnist.test)
    with browser.running_server(models_dir) as url:
        report["page"] = writers.teaching_page_figures(url, drawings[::3])
    return report


def honesty_figures(folders: dict, models: dict, mnist, count: int, out_dir: Path) -> dict | None:
    """Not-a-digit shares and calibration of the default model (with the segmenter, as the page)."""
    from ..recognizer import Recognizer

    if DEFAULT_MODEL not in models or SEGMENTER not in models:
        return None
    from .. import calibration

    temperatures = (calibration.temperature_of(folders[DEFAULT_MODEL]), calibration.temperature_of(folders[SEGMENTER]))
    recognizer = Recognizer.from_models(models[DEFAULT_MODEL], models[SEGMENTER], DEFAULT_MODEL, (), temperatures)
    return {
        "not_a_digit": honesty.not_a_digit_figures(recognizer, mnist.test, count // 3),
        "calibration": honesty.calibration_figures(
            models[DEFAULT_MODEL], folders[DEFAULT_MODEL], mnist, count // 3, out_dir / "reliability.png"
        ),
    }


def train_all(target: Path, names) -> dict[str, Path]:
    from .. import train

    folders = {}
    for name in names:
        folders[name] = target / name
        print(f"training {name} from scratch…", flush=True)
        train.train(name, folders[name], verbose=2)
    return folders


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitdraw.bench", description=__doc__)
    parser.add_argument("--out-dir", required=True, help="where benchmarks.md and benchmarks.json go")
    parser.add_argument("--skip-training", action="store_true", help="measure existing models instead")
    parser.add_argument("--models-dir", help="with --skip-training: where the models are (default: bundled)")
    parser.add_argument("--install", action="store_true", help="copy the freshly trained models into the package")
    parser.add_argument("--count", type=int, default=1500, help="digits per drawn benchmark")
    parser.add_argument("--browser-digits", type=int, default=300, help="drawn digits replayed in Chromium")
    parser.add_argument("--latency-strokes", type=int, default=200)
    parser.add_argument("--numbers", type=int, default=1000, help="numbers in the number benchmark (dev + final)")
    parser.add_argument("--browser-numbers", type=int, default=80, help="final-part numbers replayed in Chromium")
    parser.add_argument("--load-seconds", type=float, default=20.0, help="POST /api/read under load (0: skip)")
    parser.add_argument(
        "--again",
        nargs="+",
        choices=SECTIONS,
        help="with --skip-training: measure only these sections again, keeping the rest of the report",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="digitdraw-bench-") as scratch:
        return measure_and_write(args, Path(scratch))


def browser_drawn_figures(models: dict, folders: dict, models_dir: Path, mnist, count: int) -> dict:
    """Final-part traced-MNIST and European digits replayed on the served page, per model, each as
    another writer's, beside the fast Python score of the same digits; for the default model also
    all in one session, as if one writer had drawn them all."""
    from . import browser

    scores = {}
    with browser.running_server(models_dir) as url:
        items = [it for it in drawn_bench.build("traced-mnist", count // 2, mnist.test) if it.part == "final"]
        items += [it for it in drawn_bench.build("european", count // 2, mnist.test) if it.part == "final"]
        labels = np.array([it.label for it in items])
        for name in ("robust-cnn", "cnn"):
            if name not in folders:
                continue
            scores[name] = drawn_bench.browser_accuracy(url, items, name)
            fast = np.stack([drawn_bench.model_input(it, "vector") for it in items])[..., None]
            fast_predicted = models[name].predict(fast, verbose=0).argmax(1)
            predicted = np.array(scores[name].pop("predicted"))
            scores[name]["agreement_with_python"] = round(float((fast_predicted == predicted).mean()), 4)
            scores[name]["python_accuracy"] = round(float((fast_predicted == labels).mean()), 4)
            if name == DEFAULT_MODEL:  # all in one session: the 7s it saw carry from one drawing to the next
                one_writer = drawn_bench.browser_accuracy(url, items, name, new_writer=False)
                scores[name]["one_session_accuracy"] = one_writer["accuracy"]
    return scores


# The report's sections, each measured by one step; `--again` measures only some of them.
SECTIONS = ("models", "drawn", "page", "numbers", "writers", "honesty", "read_load", "browser_drawn")


def measure_and_write(args, work: Path) -> int:
    out = Path(args.out_dir)
    report = _earlier_report(out, args) if args.again else {}
    mnist = data.load_mnist()
    if args.skip_training:
        models_dir = Path(args.models_dir) if args.models_dir else catalog.BUNDLED_DIR
        folders = {m.name: m.path for m in catalog.scan(models_dir)[0]}
    else:
        models_dir = work / "models"
        folders = train_all(models_dir, RECIPES)
    models = {name: tfjs.load(folder) for name, folder in folders.items()}

    def page_section():
        page = browser_figures(models_dir, args.latency_strokes)
        page["published"] = bench_weight.site_figures(models_dir)  # bench/weight.py: the published page
        return page

    steps = {
        "models": lambda: _without_metadata(measure_models(folders, models, mnist, work / "quantised")),
        "drawn": lambda: drawn_bench.run(models, mnist.test, args.count),
        "page": page_section,
        "numbers": lambda: number_figures(models, models_dir, mnist, args.numbers, args.browser_numbers),
        "writers": lambda: writer_figures(models, models_dir, mnist),
        "honesty": lambda: honesty_figures(folders, models, mnist, args.count, out),
        "read_load": lambda: [load.measure(seconds=args.load_seconds)] if args.load_seconds else [],
        "browser_drawn": lambda: (
            browser_drawn_figures(models, folders, models_dir, mnist, args.browser_digits)
            if args.browser_digits
            else {}
        ),
    }
    for name in args.again or SECTIONS:
        print(f"{name}…", flush=True)
        report[name] = steps[name]()
    today = datetime.date.today().isoformat()
    if args.again:
        again = ", ".join(args.again)
        note = f"{again} measured again on {today} with `--again` (the same functions and arguments)"
        report["remeasured"] = "; ".join(filter(None, [report.get("remeasured"), note]))
    else:
        report |= {"date": today, "machine": machine(), "trained": not args.skip_training}
    out.mkdir(parents=True, exist_ok=True)
    (out / "benchmarks.json").write_text(json.dumps(report, indent=1, default=float))
    (out / "benchmarks.md").write_text(bench_report.render(report))
    if args.install and not args.skip_training:
        for name, folder in folders.items():
            shutil.rmtree(catalog.BUNDLED_DIR / name, ignore_errors=True)
            shutil.copytree(folder, catalog.BUNDLED_DIR / name)
    print(f"wrote {out / 'benchmarks.md'} and {out / 'benchmarks.json'}")
    return 0


def _without_metadata(measured: dict) -> dict:
    """Per model, the figures measured and the few metadata fields the report shows."""
    return {
        name: {key: value for key, value in figures.items() if key != "metadata"}
        | {
            "parameters": figures["metadata"].get("parameters"),
            "training": figures["metadata"].get("training"),
            "reported_accuracy": figures["metadata"].get("reported_accuracy"),
            "test_accuracy_metadata": figures["metadata"].get("test_accuracy"),
        }
        for name, figures in measured.items()
    }


def _earlier_report(out: Path, args) -> dict:
    """The report that `--again` updates: only measured models can be measured again."""
    if not args.skip_training:
        raise SystemExit("--again measures the bundled (or --models-dir) models: add --skip-training")
    try:
        return json.loads((out / "benchmarks.json").read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(  # noqa: B904 -- the message says what was wrong; a traceback adds nothing
            f"--again updates {out / 'benchmarks.json'}, which cannot be read ({error}): run the full benchmark first"
        )


if __name__ == "__main__":
    raise SystemExit(main())
