"""Drawn-digit benchmarks: how well each model reads digits drawn on the pad.

Benchmarks (all generated here from MNIST *test* digits, benchmark-only fonts, or random):
- traced-mnist: test digits traced into strokes, slanted, rotated, bent and redrawn.
- stroke-fonts: digits of the Hershey fonts in synth.BENCH_FONTS, randomly slanted and scaled.
- european: test 1s with an upstroke flag (some with a base) and 7s with a crossbar, beside
  plain test 1s and 7s, so the 1/7 fix is checked in both directions.
- handwriting-fonts: filled glyphs of Debian's handwriting fonts (raster recipe only).
- non-digits: scribbles and letters no digit resembles, to see how often they are flagged unsure.
Each is drawn in two layouts (centred, sloppy) and scored through both recipes (raster: the pad's
pixels cropped and fitted; vector: the strokes refitted at a canonical pen). Items whose index
% 10 < 3 form the dev part (used for choices: recipe, unsure threshold); the rest is the final part,
used only for the reported figures.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from .. import evaluate, preprocess
from ..config import PAD_PEN, PAD_UNITS
from ..drawn import synth
from ..models import digit_probabilities

LAYOUTS = ("centred", "sloppy")
RECIPES = ("raster", "vector")
DEV_FRACTION_MOD = 3  # index % 10 < 3 → dev
BENCH_SEED = 20261121


@dataclass
class Item:
    strokes: list | None  # on the pad, or None for raster-only items
    ink: np.ndarray | None  # 280×280 raster for font glyphs
    label: int
    benchmark: str
    layout: str
    style: str
    index: int

    @property
    def part(self) -> str:
        return "dev" if self.index % 10 < DEV_FRACTION_MOD else "final"


def _styled(strokes, rng):
    return synth.tremor(synth.elastic(synth.affine(strokes, rng, rotation_deg=10, shear=0.3), rng, 0.03), rng)


def build(benchmark: str, count: int, mnist_test=None, seed: int = BENCH_SEED) -> list[Item]:
    """`count` items of one benchmark, in both layouts (so 2 × count items)."""
    rng = np.random.default_rng([seed, sum(map(ord, benchmark))])
    items: list[Item] = []

    def add(strokes, label, style, index, ink_maker=None):
        for layout in LAYOUTS:
            if ink_maker is not None:
                items.append(Item(None, ink_maker(layout), label, benchmark, layout, style, index))
            else:
                items.append(
                    Item(synth.place_on_pad(strokes, rng, layout), None, label, benchmark, layout, style, index)
                )

    if benchmark in ("traced-mnist", "european"):
        order = np.random.default_rng(seed).permutation(len(mnist_test))
        if benchmark == "european":
            ones = [i for i in order if mnist_test.labels[i] == 1][: count // 2]
            sevens = [i for i in order if mnist_test.labels[i] == 7][: count // 2]
            chosen = [i for pair in zip(ones, sevens) for i in pair]
        else:
            chosen = order[:count]
        traced = synth.traced(mnist_test.images[chosen])
        for index, (strokes, label) in enumerate(zip(traced, mnist_test.labels[chosen])):
            if not strokes:
                continue
            label, style = int(label), "plain"
            if benchmark == "european" and index % 4 < 3:  # three in four restyled, the rest plain
                if label == 1:
                    strokes, style = synth.add_flag(strokes, rng), "flag"
                else:
                    strokes, style = synth.add_crossbar(strokes, rng), "crossbar"
            add(_styled(strokes, rng), label, style, index)
    elif benchmark == "stroke-fonts":
        glyphs = synth.hershey_digits(synth.BENCH_FONTS)
        for index in range(count):
            strokes, character, font = glyphs[index % len(glyphs)]
            add(_styled(strokes, rng), int(character), font, index)
    elif benchmark == "handwriting-fonts":
        fonts = synth.handwriting_fonts()
        if not fonts:
            return []
        for index in range(count):
            font, digit = fonts[index % len(fonts)], index // len(fonts) % 10
            add(
                None,
                digit,
                font.stem,
                index,
                lambda layout, font=font, digit=digit: synth.font_raster(font, str(digit), rng, layout),
            )
    elif benchmark == "non-digits":
        letters = synth.hershey_digits(synth.BENCH_FONTS[:4], synth.NON_DIGIT_LETTERS)
        for index in range(count):
            if index % 2:
                # Drawn at random, not in turn: in turn, the dev part (index % 10 < 3) would hold
                # only two of the forty letters and the final part none of those two.
                pick = np.random.default_rng([seed, index]).integers(len(letters))
                strokes, character, _ = letters[pick]
                add(_styled(strokes, rng), -1, f"letter {character}", index)
            else:
                add(synth.scribble(rng), -1, "scribble", index)
    else:
        raise ValueError(f"unknown benchmark {benchmark!r}")
    return items


def model_input(item: Item, recipe: str) -> np.ndarray | None:
    """The 28×28 input for one item through one recipe (None when the recipe does not apply)."""
    if item.strokes is None:
        return preprocess.mnist_from_ink(item.ink) if recipe == "raster" else None
    if recipe == "vector":
        return preprocess.mnist_from_strokes(item.strokes)
    ink = preprocess.render_strokes(item.strokes, PAD_UNITS, PAD_UNITS, PAD_PEN)
    return preprocess.mnist_from_ink(ink)


def _inputs_chunk(task):
    items, recipe = task
    out = []
    for item in items:
        try:
            out.append(model_input(item, recipe))
        except preprocess.NoInkError:
            out.append(None)
    return out


def inputs_for(items: list[Item], recipe: str, workers: int = 2) -> list[np.ndarray | None]:
    chunks = [items[i : i + 200] for i in range(0, len(items), 200)]
    if workers <= 1 or len(chunks) == 1:
        return [x for chunk in chunks for x in _inputs_chunk((chunk, recipe))]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        return [x for part in pool.map(_inputs_chunk, [(c, recipe) for c in chunks]) for x in part]


@dataclass(frozen=True)
class Result:
    """One model's score on one slice of a benchmark: a row of docs/benchmarks.json."""

    model: str
    benchmark: str
    layout: str  # "centred", "sloppy" or "both"
    recipe: str  # "raster" or "vector"
    part: str  # "dev" or "final"
    style: str | None  # a European-benchmark style ("flag", "crossbar", "plain"), or None for all
    count: int
    accuracy: float
    per_class: dict[int, float]  # recall of each digit present
    top_confusions: dict[str, int]  # "true→predicted": count, the five most frequent


def score(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """count, accuracy, per-class recall and top confusions, all from evaluate's confusion matrix."""
    matrix = np.array(evaluate.summarise(labels, probabilities.argmax(axis=1))["confusion"])
    totals = matrix.sum(axis=1)
    per_class = {d: round(float(matrix[d, d] / totals[d]), 4) for d in range(len(matrix)) if totals[d]}
    errors = [
        (int(matrix[t, p]), f"{t}→{p}")
        for t in range(len(matrix))
        for p in range(len(matrix))
        if t != p and matrix[t, p]
    ]
    return {
        "count": len(labels),
        "accuracy": round(float(np.trace(matrix) / max(len(labels), 1)), 4),
        "per_class": per_class,
        "top_confusions": {pair: n for n, pair in sorted(errors, key=lambda e: -e[0])[:5]},
    }


def unsure_table(correct: np.ndarray, confidence: np.ndarray, thresholds=(0.5, 0.6, 0.7, 0.8, 0.9)) -> list[dict]:
    """For each threshold: share of wrong answers flagged unsure, and of right answers flagged."""
    rows = []
    for threshold in thresholds:
        flagged = confidence < threshold
        rows.append(
            {
                "threshold": threshold,
                "wrong_flagged": round(float(flagged[~correct].mean()), 4) if (~correct).any() else None,
                "right_flagged": round(float(flagged[correct].mean()), 4),
            }
        )
    return rows


def run(models: dict, mnist_test, count: int, benchmarks=None) -> dict:
    """Score every model on every benchmark × layout × recipe; returns a JSON-able report."""
    benchmarks = benchmarks or ("traced-mnist", "stroke-fonts", "european", "handwriting-fonts", "non-digits")
    report = {"count_per_benchmark": count, "seed": BENCH_SEED, "results": [], "unsure": {}, "non_digits": {}}
    results: list[Result] = []
    confidences = {name: {"correct": [], "confidence": []} for name in models}
    for benchmark in benchmarks:
        started = time.perf_counter()
        items = build(benchmark, count, mnist_test)
        for recipe in RECIPES:
            inputs = inputs_for(items, recipe)
            usable = [i for i, x in enumerate(inputs) if x is not None]
            if not usable:
                continue
            batch = np.stack([inputs[i] for i in usable])[..., None]
            subset = [items[i] for i in usable]
            labels = np.array([it.label for it in subset])
            for name, model in models.items():
                probabilities = digit_probabilities(model.predict(batch, batch_size=512, verbose=0))
                confidence = probabilities.max(axis=1)
                if benchmark == "non-digits":
                    report["non_digits"].setdefault(name, {})[recipe] = {
                        f"flagged_below_{t}": round(float((confidence < t).mean()), 4)
                        for t in (0.5, 0.6, 0.7, 0.8, 0.9)
                    }
                    continue
                for layout in LAYOUTS:
                    for part in ("dev", "final"):
                        mask = np.array([it.layout == layout and it.part == part for it in subset])
                        if mask.any():
                            results.append(
                                Result(
                                    name,
                                    benchmark,
                                    layout,
                                    recipe,
                                    part,
                                    None,
                                    **score(labels[mask], probabilities[mask]),
                                )
                            )
                if benchmark == "european":
                    for style in sorted({it.style for it in subset}):
                        mask = np.array([it.style == style and it.part == "final" for it in subset])
                        results.append(
                            Result(
                                name,
                                benchmark,
                                "both",
                                recipe,
                                "final",
                                style,
                                **score(labels[mask], probabilities[mask]),
                            )
                        )
                if recipe == "vector" or benchmark == "handwriting-fonts":
                    dev = np.array([it.part == "dev" for it in subset])
                    confidences[name]["correct"].append((probabilities.argmax(1) == labels)[dev])
                    confidences[name]["confidence"].append(confidence[dev])
        print(f"  {benchmark}: {len(items)} drawings scored in {time.perf_counter() - started:.0f} s", flush=True)
    report["results"] = [asdict(r) for r in results]
    for name, stored in confidences.items():
        if stored["correct"]:
            report["unsure"][name] = unsure_table(
                np.concatenate(stored["correct"]), np.concatenate(stored["confidence"])
            )
    return report


def browser_accuracy(url: str, items: list[Item], model: str, recipe: str = "vector", new_writer: bool = True) -> dict:
    """Replay `items` as mouse strokes on the served page and read its answers. `new_writer`: the
    page forgets the writer before each drawing, as each is another writer's; else it reads them
    all as one writer's, remembering the 7s it saw."""
    from playwright.sync_api import sync_playwright

    from . import browser

    answers = []
    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page = chromium.new_page(viewport={"width": 900, "height": 900})
        page.goto(f"{url}/?model={model}&recipe={recipe}")
        page.wait_for_selector(browser.READY, timeout=60_000)
        for item in items:
            digit, _ = browser.classify(page, item.strokes, new_writer)
            answers.append(digit)
        chromium.close()
    labels = np.array([it.label for it in items])
    predicted = np.array([int(a) if a not in (None, "") else -1 for a in answers])
    return {
        "count": len(items),
        "accuracy": round(float((predicted == labels).mean()), 4),
        "predicted": predicted.tolist(),
    }


def main(argv=None) -> int:
    """`python -m digitdraw.bench.drawn --out FILE`: the drawn benchmarks alone, as JSON."""
    from .. import data, tfjs
    from ..app import catalog

    parser = argparse.ArgumentParser(prog="python -m digitdraw.bench.drawn", description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--models", nargs="*", help="bundled names or folders (default: all bundled)")
    parser.add_argument("--count", type=int, default=2000, help="digits per benchmark")
    args = parser.parse_args(argv)
    mnist = data.load_mnist()
    names = args.models or [m.name for m in catalog.scan()[0]]
    models = {Path(n).name: tfjs.load(catalog.resolve(n)) for n in names}
    report = run(models, mnist.test, args.count)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    for row in report["results"]:
        if row["part"] == "final" and row["layout"] == "sloppy":
            print(f"{row['model']:<11} {row['benchmark']:<18} {row['recipe']:<6} {row['accuracy']:.2%}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
