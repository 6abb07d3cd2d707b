"""Writer benchmark: how well the page learns one writer's hand from a few taught examples.

Each synthetic writer has one consistent style and writes every digit DRAWINGS_PER_DIGIT times:
- font writers: one held-out Hershey font each (synth.BENCH_FONTS);
- European writers: one traced MNIST *test* digit per class as their shapes, a slant and width of
  their own, 1s with a flag of their own angle and length — half of them long and shallow
  (LONG_FLAG), as the real writers whose 1s our model reads as 7 — and crossed 7s;
- American writers: the same without flags or crossbars.
Each drawing is the writer's shape with fresh jitter (rotation, slant, width, bending, tremor), so
one writer's 3s resemble each other as a real writer's do, but never repeat; a quarter of a
European or American writer's drawings of a digit use a second shape of theirs.

Protocol (the page's, adapt.py): teach k = 0, 1, 3 or 10 drawings per digit, or only the mistakes
("corrections": the first TAUGHT_ROUNDS drawings of every digit are read in turn and each one read
wrong is taught), then score the writer's last SCORED drawings per digit — the same drawings for
every protocol. "k=0, 7s seen": nothing taught, every drawing read in the order written, the page
remembering whether the last 7 it read was crossed (numbers.seen_crossed_seven). Writers whose
index % 10 < 3 are the dev part (used to choose adapt.Settings).

What it is not: real people. Shapes come from MNIST writers and fonts, and the jitter is chosen
here; use it to compare methods and settings, not as the accuracy to expect on real writers.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .. import adapt, numbers, preprocess
from ..config import CROSSED_SEVENS
from ..drawn import synth
from ..models import NUM_CLASSES, digit_probabilities
from .drawn import BENCH_SEED, DEV_FRACTION_MOD
from .numbers import DigitShapes, densified

DRAWINGS_PER_DIGIT = 13
TAUGHT_ROUNDS = 10  # drawings 0..9 of each digit may be taught
SCORED = DRAWINGS_PER_DIGIT - TAUGHT_ROUNDS  # drawings 10..12 are scored
WRITERS = {"european": 30, "american": 24}  # plus one font writer per Hershey benchmark font
OTHER_FORM_SHARE = 0.25  # drawings in a writer's second shape for the digit (people have two 4s, two 9s)
FLAG_JITTER = (4.0, 0.05)  # ± per drawing around the writer's own angle and length
SLANT = 0.3
ASPECT = (0.8, 1.2)
TAUGHT = (1, 3, 10)
SEEN = "k=0, 7s seen"  # nothing taught, but the page remembers whether the last 7 it read was crossed
PROTOCOLS = ("k=0", SEEN, *(f"k={k}" for k in TAUGHT), "corrections")


@dataclass(frozen=True)
class Writer:
    index: int
    kind: str  # "font", "european" or "american"
    style: str  # the font, or the flag kind ("long flag", "steep flag", "plain")

    @property
    def part(self) -> str:
        return "dev" if self.index % 10 < DEV_FRACTION_MOD else "final"


@dataclass(frozen=True)
class Drawing:
    writer: int
    digit: int
    round: int  # 0 … DRAWINGS_PER_DIGIT − 1: the order in which the writer drew it
    strokes: list[np.ndarray]


def _jittered(unit_strokes, matrix, rng) -> list[np.ndarray]:
    """The writer's slant and width, then this drawing's own small variation, 100 units tall."""
    leaned = [s @ matrix.T for s in densified(synth.normalised(unit_strokes), 0.02)]
    varied = synth.affine(leaned, rng, rotation_deg=8, shear=0.15, aspect=(0.88, 1.12))
    return [s * 100 for s in synth.normalised(synth.tremor(synth.elastic(varied, rng, 0.05), rng, 0.003))]


def _writer_shapes(writer: Writer, shapes: DigitShapes, rng) -> dict[int, list[list[np.ndarray]]]:
    """Per digit, the writer's usual shape and their other one (a font has only one)."""
    if writer.kind == "font":
        return {d: [synth.normalised(shapes.glyph(writer.style, d))] for d in range(NUM_CLASSES)}
    return {d: [shapes.mnist(d, rng), shapes.mnist(d, rng)] for d in range(NUM_CLASSES)}


def _drawings_of(writer: Writer, shapes: DigitShapes, seed: int) -> list[Drawing]:
    rng = np.random.default_rng([seed, writer.index])
    base = _writer_shapes(writer, shapes, rng)
    matrix = np.array([[1.0, rng.uniform(-SLANT, SLANT)], [0.0, 1.0]]) @ np.diag([rng.uniform(*ASPECT), 1.0])
    flag = synth.LONG_FLAG if writer.style == "long flag" else synth.STEEP_FLAG
    angle, length = rng.uniform(*flag[0]), rng.uniform(*flag[1])
    drawings = []
    for round_ in range(DRAWINGS_PER_DIGIT):
        for digit in range(NUM_CLASSES):
            forms = base[digit]
            unit = forms[1] if len(forms) > 1 and rng.uniform() < OTHER_FORM_SHARE else forms[0]
            if writer.kind == "european" and digit == 1:
                unit = synth.add_flag(
                    unit,
                    rng,
                    base_probability=0.0,
                    angle_deg=(angle - FLAG_JITTER[0], angle + FLAG_JITTER[0]),
                    length=(length - FLAG_JITTER[1], length + FLAG_JITTER[1]),
                )
            elif writer.kind == "european" and digit == 7:
                unit = synth.add_crossbar(unit, rng)
            drawings.append(Drawing(writer.index, digit, round_, _jittered(unit, matrix, rng)))
    return drawings


def writers() -> list[Writer]:
    out = [Writer(0, "font", font) for font in synth.BENCH_FONTS]
    for k in range(WRITERS["european"]):
        out.append(Writer(len(out), "european", "long flag" if k % 2 == 0 else "steep flag"))
    for _ in range(WRITERS["american"]):
        out.append(Writer(len(out), "american", "plain"))
    return [Writer(index, w.kind, w.style) for index, w in enumerate(out)]


def build(mnist_test, seed: int = BENCH_SEED) -> tuple[list[Writer], list[Drawing]]:
    """Every writer and their drawings (strokes 100 units tall, y down)."""
    shapes = DigitShapes(mnist_test)
    everyone = writers()
    return everyone, [d for w in everyone for d in _drawings_of(w, shapes, seed)]


def features_of(model, drawings: list[Drawing]) -> tuple[np.ndarray, np.ndarray]:
    """(features, probabilities) of every drawing through the page's vector recipe."""
    inputs = preprocess.to_model_input(np.stack([preprocess.mnist_from_strokes(d.strokes) for d in drawings]))
    features, probabilities = [], []
    extract = adapt.feature_model(model)
    for start in range(0, len(inputs), 512):
        f, p = extract(inputs[start : start + 512], training=False)
        features.append(np.asarray(f, dtype=np.float64))
        probabilities.append(np.asarray(p, dtype=np.float64))
    return np.concatenate(features), np.concatenate(probabilities)


@dataclass(frozen=True)
class PrototypeMixture:
    """The alternative measured against adapt.py's rule: each taught digit's prototype (the mean
    of its examples' unit features), a softmax over the cosine similarities to the prototypes at
    `temperature`, mixed into the model's probabilities at `weight` (as in prototypical networks)."""

    weight: float
    temperature: float

    def predict(self, probabilities, features, example_features, example_digits) -> np.ndarray:
        if not len(example_digits):
            return probabilities[:, :NUM_CLASSES]
        taught = np.unique(example_digits)
        units = adapt.normalised(example_features)
        prototypes = adapt.normalised(np.stack([units[np.asarray(example_digits) == d].mean(axis=0) for d in taught]))
        scores = adapt.normalised(features) @ prototypes.T / self.temperature
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        mixed = (1 - self.weight) * probabilities[:, :NUM_CLASSES]
        mixed[:, taught] += self.weight * scores / scores.sum(axis=1, keepdims=True)
        return mixed


def _read(probabilities, features, example_features, example_digits, settings, layer) -> np.ndarray:
    """Adapted probabilities for some drawings, given the taught examples' features and digits and
    the model's last layer (weights, bias), as adapt.Adapter reads them."""
    if isinstance(settings, PrototypeMixture):
        return settings.predict(probabilities, features, example_features, example_digits)
    if len(example_digits):
        tuned = adapt.fine_tuned(*layer, example_features, example_digits, settings)
        probabilities = adapt.layer_probabilities(features, *tuned)
    similarities = adapt.nearest_similarities(features, example_features, example_digits)
    return adapt.blend(probabilities, similarities, settings)


def _with_convention(adapted: np.ndarray, crossed: np.ndarray, writer_crosses: bool | None) -> np.ndarray:
    """Digits read, with the page's crossed-7 convention (numbers.crossed_sevens) for a writer whose
    taught 7s are all crossed: a drawing read as a 7 without a crossbar is read again."""
    read = adapted.argmax(axis=1)
    if writer_crosses:
        for row in np.flatnonzero((read == 7) & ~crossed):
            read[row] = numbers.doubt_seven(adapted[row]).argmax()
    return read


def seen_sevens(probabilities: np.ndarray, drawings: list) -> np.ndarray:
    """Digits read with nothing taught, in the order written, as the page reads one drawing after
    another: it remembers whether the last 7 it read was crossed (numbers.seen_crossed_seven), and
    while it was, an uncrossed 7 is read again (numbers.crossed_sevens)."""
    seen, read = False, []
    for p, drawing in zip(digit_probabilities(probabilities), drawings):
        strokes = [np.asarray(s, dtype=np.float64) for s in drawing.strokes]
        digit = numbers.DigitReading(int(p.argmax()), tuple(p), tuple(range(len(strokes))), (0, 0, 0, 0), 0.0)
        digits = numbers.crossed_sevens([digit], strokes, None, seen)
        seen = numbers.seen_crossed_seven(seen, digits, strokes)
        read.append(digits[0].digit)
    return np.array(read)


def run_writer(
    rows: np.ndarray, drawings, features, probabilities, settings, crossbars, layer, convention: bool = True
) -> dict[str, np.ndarray]:
    """Predictions on the writer's scored drawings under each protocol (and what was taught).
    `crossbars[i]`: whether drawing i has a 7's crossbar; `layer`: the model's last (weights,
    bias); `convention`: apply the crossed-7 rule."""
    digits = np.array([drawings[i].digit for i in rows])
    rounds = np.array([drawings[i].round for i in rows])
    feats, probs, crossed = features[rows], probabilities[rows], np.asarray(crossbars)[rows]
    scored = np.flatnonzero(rounds >= TAUGHT_ROUNDS)
    out = {}

    def read(rows_read, taught) -> np.ndarray:
        adapted = _read(probs[rows_read], feats[rows_read], feats[taught], digits[taught], settings, layer)
        taught_sevens = [crossed[i] for i in taught if digits[i] == 7]
        writer_crosses = bool(taught_sevens) and all(taught_sevens) and convention
        return _with_convention(adapted, crossed[rows_read], writer_crosses)

    for k in TAUGHT:
        out[f"k={k}"] = read(scored, np.flatnonzero(rounds < k))
    corrections: list[int] = []
    for i in np.flatnonzero(rounds < TAUGHT_ROUNDS):  # in drawing order: round by round, digit by digit
        if read([i], corrections)[0] != digits[i]:
            corrections.append(int(i))
    out["corrections"] = read(scored, corrections)
    out["k=0"] = probs[scored].argmax(axis=1)
    out[SEEN] = seen_sevens(probs, [drawings[i] for i in rows])[scored] if convention else out["k=0"]
    out["taught corrections"] = np.array(len(corrections))
    out["truth"] = digits[scored]
    return out


def crossbars_of(drawings) -> np.ndarray:
    """Whether each drawing has a 7's crossbar, as the page judges it (numbers.has_crossbar)."""
    return np.array([numbers.has_crossbar(d.strokes) for d in drawings], dtype=bool)


def score(
    everyone,
    drawings,
    features,
    probabilities,
    layer,
    settings=adapt.DEFAULT,
    part: str = "final",
    crossbars=None,
    convention: bool = True,
) -> dict:
    """Accuracy per protocol overall, per class, per writer kind, and for the 1-vs-7 conventions.
    `layer`: the model's last (weights, bias); `crossbars`: crossbars_of(drawings), if already
    known; `convention`: the crossed-7 rule on."""
    crossbars = crossbars_of(drawings) if crossbars is None else crossbars
    by_writer: dict[int, list[int]] = {}
    for i, d in enumerate(drawings):
        by_writer.setdefault(d.writer, []).append(i)
    chosen = [w for w in everyone if w.part == part]
    results = {
        w.index: run_writer(
            np.array(by_writer[w.index]), drawings, features, probabilities, settings, crossbars, layer, convention
        )
        for w in chosen
    }

    def accuracy(protocol, keep=lambda w, digit: True) -> float | None:
        right = total = 0
        for w in chosen:
            r = results[w.index]
            mask = np.array([keep(w, t) for t in r["truth"]])
            right += int((r[protocol][mask] == r["truth"][mask]).sum())
            total += int(mask.sum())
        return right / total if total else None

    conventions = {
        "long-flag 1s (European)": lambda w, d: w.style == "long flag" and d == 1,
        "steep-flag 1s (European)": lambda w, d: w.style == "steep flag" and d == 1,
        "crossed 7s (European)": lambda w, d: w.kind == "european" and d == 7,
        "plain 1s (American)": lambda w, d: w.kind == "american" and d == 1,
        "plain 7s (American)": lambda w, d: w.kind == "american" and d == 7,
    }
    kinds = sorted({w.kind for w in chosen})
    return {
        "part": part,
        "writers": len(chosen),
        "scored_per_writer": SCORED * NUM_CLASSES,
        "settings": asdict(settings),
        "overall": {p: accuracy(p) for p in PROTOCOLS},
        "per_class": {p: [accuracy(p, lambda w, d, c=c: d == c) for c in range(NUM_CLASSES)] for p in PROTOCOLS},
        "by_kind": {k: {p: accuracy(p, lambda w, d, k=k: w.kind == k) for p in PROTOCOLS} for k in kinds},
        "conventions": {name: {p: accuracy(p, keep) for p in PROTOCOLS} for name, keep in conventions.items()},
        "corrections_taught_per_writer": float(np.mean([results[w.index]["taught corrections"] for w in chosen])),
    }


def _dev_total(overall: dict) -> float:
    return overall["k=1"] + overall["k=3"] + overall["corrections"]


def tune(everyone, drawings, features, probabilities, layer, crossbars) -> tuple[adapt.Settings, list[dict]]:
    """The settings with the best sum of k=1, k=3 and corrections accuracy on the dev writers: the
    bonus's strength and floor first (the model's own layer), then the last layer's fine-tuning."""
    trials = []

    def trial(settings: adapt.Settings) -> dict:
        overall = score(everyone, drawings, features, probabilities, layer, settings, "dev", crossbars)["overall"]
        trials.append({**asdict(settings), **overall})
        return trials[-1]

    for strength in (10.0, 20.0, 40.0, 80.0, 160.0):
        for floor in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            trial(adapt.Settings(strength, floor, steps=0))
    best = max(trials, key=lambda t: (_dev_total(t), -t["strength"]))
    for steps in (10, 25, 50, 100):
        for rate in (0.05, 0.1, 0.2):
            trial(adapt.Settings(best["strength"], best["floor"], steps, rate))
    best = max(trials, key=lambda t: (_dev_total(t), -t["steps"], -t["strength"]))
    return adapt.Settings(best["strength"], best["floor"], best["steps"], best["rate"]), trials


def tune_mixture(everyone, drawings, features, probabilities, layer, crossbars) -> PrototypeMixture:
    """The PrototypeMixture with the best mean of k=1, k=3 and corrections accuracy on the dev writers."""
    best, best_score = None, -1.0
    for weight in (0.3, 0.5, 0.7, 0.9):
        for temperature in (0.02, 0.05, 0.1, 0.2):
            mixture = PrototypeMixture(weight, temperature)
            total = _dev_total(
                score(everyone, drawings, features, probabilities, layer, mixture, "dev", crossbars)["overall"]
            )
            if total > best_score:
                best, best_score = mixture, total
    return best


def benchmark(model, mnist_test, tune_first: bool = False) -> dict:
    everyone, drawings = build(mnist_test)
    features, probabilities = features_of(model, drawings)
    layer = model.layers[-1].get_weights()
    crossbars = crossbars_of(drawings)
    report = {}
    settings = adapt.DEFAULT
    if tune_first:
        settings, report["tuning"] = tune(everyone, drawings, features, probabilities, layer, crossbars)
    for part in ("final", "dev"):
        report[part] = score(everyone, drawings, features, probabilities, layer, settings, part, crossbars)
        report[f"{part}_without_convention"] = score(
            everyone, drawings, features, probabilities, layer, settings, part, crossbars, convention=False
        )
        report[f"{part}_bonus_only"] = score(
            everyone, drawings, features, probabilities, layer, replace(settings, steps=0), part, crossbars
        )
    mixture = tune_mixture(everyone, drawings, features, probabilities, layer, crossbars)
    report["final_mixture"] = score(everyone, drawings, features, probabilities, layer, mixture, "final", crossbars)
    return report


def main(argv=None) -> int:
    from .. import data, tfjs
    from ..app import catalog

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="robust-cnn")
    parser.add_argument("--tune", action="store_true", help="choose adapt.Settings on the dev writers first")
    parser.add_argument("--out", help="write the figures here as JSON")
    args = parser.parse_args(argv)
    model = tfjs.load(catalog.BUNDLED_DIR / args.model)
    report = benchmark(model, data.load_mnist().test, tune_first=args.tune)
    text = json.dumps(report, indent=1)
    if args.out:
        Path(args.out).write_text(text)
    for part in ("dev", "dev_without_convention", "dev_bonus_only", "final", "final_without_convention"):
        print(part, {k: round(v, 4) for k, v in report[part]["overall"].items()}, report[part]["conventions"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# ---- the page -------------------------------------------------------------------------------

LATENCY_PROBE = """() => {
    window.__latencies = []; let startedAt = 0;
    const pad = document.querySelector('[data-testid="pad"]');
    const start = (e) => {
        if (e.target === pad || e.target.dataset.testid?.startsWith('teach-')) startedAt = performance.now();
    };
    window.addEventListener('pointerup', start, { capture: true });
    window.addEventListener('click', start, { capture: true });
    new MutationObserver(() => {
        if (startedAt) { window.__latencies.push(performance.now() - startedAt); startedAt = 0; }
    }).observe(document.querySelector('[data-testid="prediction"]'), { attributeFilter: ['data-seq'] });
}"""


def teaching_page_figures(url: str, drawings: list[Drawing], stored: int = 200, strokes: int = 60) -> dict:
    """In Chromium: teach → re-read shown (ms), and pen-up → shown with `stored` examples kept."""
    from playwright.sync_api import sync_playwright

    from . import browser

    on_pad = [[(s * 1.8 + (60, 50)).tolist() for s in d.strokes] for d in drawings]
    figures = {}
    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page = chromium.new_page(viewport={"width": 1000, "height": 900})
        page.goto(url + "/")
        page.wait_for_selector(browser.READY)
        page.evaluate(LATENCY_PROBE)
        for k in range(20):
            browser.clear(page)
            browser.wait_for_sequence(page, browser.draw(page, on_pad[k]))
            page.evaluate("window.__latencies = []")
            before = browser.sequence(page)
            page.click(f'[data-testid="teach-{drawings[k].digit}"]')
            browser.wait_for_sequence(page, before + 1)
            figures.setdefault("teach_ms", []).extend(page.evaluate("window.__latencies"))
        figures["teach_ms"] = browser.latency_spread(figures["teach_ms"])

        examples = [{"digit": d.digit, "strokes": s} for d, s in zip(drawings[:stored], on_pad[:stored])]
        page.evaluate(
            "(examples) => localStorage.setItem('digitdraw.examples', "
            "JSON.stringify({format: 'digitdraw-examples', version: 1, examples}))",
            examples,
        )
        page.reload()
        page.wait_for_selector(browser.READY)
        page.evaluate(LATENCY_PROBE)
        figures["examples_stored"] = int(page.get_attribute("body", "data-examples"))
        rng = np.random.default_rng(0)
        latencies = []
        for _ in range(strokes + 1):
            browser.clear(page)
            page.evaluate("window.__latencies = []")
            x = rng.uniform(90, 190)
            browser.wait_for_sequence(page, browser.draw(page, [[(x, 50), (x + 5, 140), (x + 8, 230)]]))
            latencies += page.evaluate("window.__latencies")
        # The first drawing's live readings compute the stored examples' features: not a pen-up cost.
        figures["pen_up_to_shown_ms"] = browser.latency_spread(latencies[1:])
        chromium.close()
    return figures


def markdown(report: dict) -> list[str]:
    final = report["final"]

    def pct(value):
        return "–" if value is None else f"{100 * value:.2f}%"

    settings = final["settings"]
    out = [
        "## Learning the writer's hand",
        "",
        f"Synthetic writers (bench/writers.py): {final['writers']} final-part writers, {final['scored_per_writer']} "
        "scored drawings each (the same for every protocol). Taught examples retrain robust-cnn's last layer for "
        f"{settings['steps']} gradient steps (rate {settings['rate']:g}), then move its probabilities by "
        f"nearest-example similarity on that layer's input (adapt.py; strength {settings['strength']:g}, floor "
        f"{settings['floor']:g}; all chosen on the dev writers). *corrections*: only the drawings read wrong among "
        f"the first ten of each digit are taught ({final['corrections_taught_per_writer']:.1f} per writer on average). "
        "*k=0, 7s seen*: nothing taught, but every drawing is read in the order written and the page remembers "
        "whether the last 7 it read was crossed; while it was, a drawing read as a 7 without a crossbar is read "
        "again with 7 made less likely (numbers.seen_crossed_seven, crossed_sevens; odds "
        f"{CROSSED_SEVENS['seen_uncrossed_seven_odds']:g}, chosen on the dev writers).",
        "",
        "| writers | " + " | ".join(PROTOCOLS) + " |",
        "|---|" + "---|" * len(PROTOCOLS),
        "| all | " + " | ".join(pct(final["overall"][p]) for p in PROTOCOLS) + " |",
    ]
    for kind, row in final["by_kind"].items():
        out.append(f"| {kind} | " + " | ".join(pct(row[p]) for p in PROTOCOLS) + " |")
    for name, row in final["conventions"].items():
        out.append(f"| {name} | " + " | ".join(pct(row[p]) for p in PROTOCOLS) + " |")

    def row(name: str, figures: dict) -> str:
        return f"| {name} | " + " | ".join(pct(figures["overall"][p]) for p in PROTOCOLS) + " |"

    methods = [("shipped: fine-tuned last layer, bonus, crossed-7 convention", final)]
    labels = {
        "final_without_convention": "without the crossed-7 convention",
        "final_bonus_only": "the model's own last layer (bonus and convention only)",
        "final_mixture": "a prototype mixture instead (with the convention)",
    }
    methods += [(label, report[key]) for key, label in labels.items() if report.get(key)]
    out += [
        "",
        "The parts of the method, each left out in turn (same writers, same scored drawings). The crossed-7 "
        "convention (numbers.crossed_sevens): for a writer whose taught 7s all have a crossbar, a drawing read as a "
        "7 without one is read again with 7 made unlikely. The prototype mixture: each taught digit's mean feature "
        "vector, a softmax over cosine similarities mixed into the model's probabilities"
        + (
            f" (temperature {report['final_mixture']['settings']['temperature']:g}, weight "
            f"{report['final_mixture']['settings']['weight']:g}, chosen on the dev writers)"
            if report.get("final_mixture")
            else ""
        )
        + ":",
        "",
        "| method | " + " | ".join(PROTOCOLS) + " |",
        "|---|" + "---|" * len(PROTOCOLS),
        *[row(name, figures) for name, figures in methods],
    ]
    plain = report.get("final_without_convention")
    if plain:
        out += ["", "The 1-vs-7 conventions without the crossed-7 rule:", ""]
        out += ["| writers | " + " | ".join(PROTOCOLS) + " |", "|---|" + "---|" * len(PROTOCOLS)]
        for name, figures in plain["conventions"].items():
            out.append(f"| {name} | " + " | ".join(pct(figures[p]) for p in PROTOCOLS) + " |")
    out += ["", "Per class:", "", "| protocol | " + " | ".join(str(d) for d in range(10)) + " |", "|---|" + "---|" * 10]
    for p in PROTOCOLS:
        out.append(f"| {p} | " + " | ".join(pct(v) for v in final["per_class"][p]) + " |")
    page = report.get("page")
    if page:
        out += [
            "",
            "In the page (headless Chromium, WASM): teach → the drawing re-read and shown "
            f"{page['teach_ms']['median']:.1f} ms median ({page['teach_ms']['p95']:.1f} ms p95, goal ≤ 100 ms); with "
            f"{page['examples_stored']} examples stored, pen-up → shown {page['pen_up_to_shown_ms']['median']:.1f} ms "
            f"median ({page['pen_up_to_shown_ms']['p95']:.1f} ms p95, goal ≤ 16 ms).",
        ]
    return [*out, ""]
