"""Drawn digits replayed as mouse strokes on the page, read back through the test hooks.

280 digits: the final part of the traced-MNIST and European-styles benchmarks (MNIST *test*
digits traced into strokes, slanted, bent, European 1s and 7s), centred and sloppy on the pad.
The floor is set below the default model's full-benchmark figure on the same kinds of digits
(docs/benchmarks.md: robust-cnn, vector recipe), leaving room for the sample's size.
"""

import json

import numpy as np

from digitdraw.bench import browser as drive
from digitdraw.bench import drawn as drawn_bench

FLOOR = 0.95
PER_BENCHMARK = 100


def test_drawn_digits_are_recognised_on_the_page(ready_page, mnist, artifacts):
    page = ready_page
    items = [
        it
        for name in ("traced-mnist", "european")
        for it in drawn_bench.build(name, PER_BENCHMARK, mnist.test)
        if it.part == "final"
    ]
    assert len(items) >= 200
    answers = [drive.classify(page, item.strokes, new_writer=True)[0] for item in items]  # 280 writers
    labels = np.array([item.label for item in items])
    predicted = np.array([int(a) if a else -1 for a in answers])
    accuracy = float((predicted == labels).mean())
    default_model = page.eval_on_selector('[data-testid="model"]', "s => s.value")
    wrong = [
        f"{t}→{p} ({it.benchmark}, {it.style}, {it.layout})" for t, p, it in zip(labels, predicted, items) if t != p
    ]
    (artifacts / "drawn-on-page.json").write_text(
        json.dumps({"model": default_model, "digits": len(items), "accuracy": accuracy, "wrong": wrong}, indent=1)
    )
    print(f"\n{default_model}: {accuracy:.2%} of {len(items)} drawn digits on the page; wrong: {wrong}")
    assert accuracy >= FLOOR, wrong
    assert page.problems == []
