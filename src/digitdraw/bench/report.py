"""Render the `make bench` report (docs/benchmarks.json) as docs/benchmarks.md."""

from __future__ import annotations

from collections import defaultdict

from ..config import DEFAULT_RECIPE, UNSURE_BELOW
from . import honesty, load, writers

GOALS = {"ready_seconds": 1.5, "latency_ms": 16, "bytes": 800_000}


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:.2f}%"


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _models_section(report: dict) -> list[str]:
    out = ["## Models on MNIST (test set, 10,000 images)", ""]
    rows = []
    for name, m in report["models"].items():
        training = m.get("training") or {}
        post = m.get("reported_accuracy")  # the blog post's own figure, from the recipe
        rows.append(
            [
                name,
                _pct(m["accuracy"]),
                _pct(post) if post else "–",
                f"{m['parameters']:,}",
                training.get("epochs", "–"),
                training.get("seconds_per_epoch", "–"),
                training.get("seconds", "–"),
                f"{m['batch1']:.0f}",
                f"{m['batch256']:.0f}",
            ]
        )
    out += _table(
        [
            "model",
            "test accuracy",
            "post's figure",
            "parameters",
            "epochs",
            "s/epoch",
            "training s",
            "images/s batch 1",
            "images/s batch 256",
        ],
        rows,
    )
    total = sum(
        (m.get("training") or {}).get("seconds", 0)
        for n, m in report["models"].items()
        if n in ("mlp", "cnn", "keras-cnn")
    )
    out += [
        f"Training time of the posts' three models together: {total / 60:.1f} min (goal ≤ 10 min). "
        "Throughputs are medians of 5 runs (Keras on the CPU).",
        "",
    ]
    out += ["### Size and accuracy per quantisation", ""]
    rows = []
    for name, m in report["models"].items():
        q = m["quantisation"]
        base = q["float32"]["accuracy"]
        rows.append(
            [name]
            + [
                f"{q[k]['weight_bytes'] / 1024:.0f} KB, {_pct(q[k]['accuracy'])} "
                f"({(q[k]['accuracy'] - base) * 100:+.2f})"
                for k in ("float32", "float16", "uint8")
            ]
        )
    return out + _table(["model", "float32", "float16", "uint8"], rows)


def _drawn_section(report: dict) -> list[str]:
    drawn = report["drawn"]
    out = [
        "## Drawn digits",
        "",
        f"{drawn['count_per_benchmark']} digits per benchmark and layout, generated with seed {drawn['seed']} "
        "(see `src/digitdraw/bench/drawn.py`). Figures below are on the *final* part (70%); the dev part "
        "(30%) was used for choices. *raster*: the pad's pixels cropped and fitted; *vector*: the strokes "
        "refitted at a canonical pen width (the page's default).",
        "",
    ]
    cells = defaultdict(dict)
    for row in drawn["results"]:
        if row["part"] != "final" or row["style"] is not None:
            continue
        cells[(row["benchmark"], row["layout"], row["recipe"])][row["model"]] = row["accuracy"]
    models = list(report["models"])
    rows = [
        [bench, layout, recipe] + [_pct(v.get(m)) for m in models]
        for (bench, layout, recipe), v in sorted(cells.items())
    ]
    out += _table(["benchmark", "layout", "recipe", *models], rows)

    out += ["### European styles, per style (vector recipe, both layouts)", ""]
    styles = defaultdict(dict)
    for row in drawn["results"]:
        if row["style"] is not None and row["recipe"] == "vector":
            styles[row["style"]][row["model"]] = row
    rows = [
        [style] + [f"{_pct(r[m]['accuracy'])} {_confusions(r[m])}" if m in r else "–" for m in models]
        for style, r in sorted(styles.items())
    ]
    out += _table(["style", *models], rows)

    out += ["### Per class and top confusions (traced-mnist, sloppy, vector, final part)", ""]
    rows = []
    for row in drawn["results"]:
        if (row["benchmark"], row["layout"], row["recipe"], row["part"]) == (
            "traced-mnist",
            "sloppy",
            "vector",
            "final",
        ):
            rows.append(
                [row["model"]]
                + [_pct(row["per_class"].get(str(d), row["per_class"].get(d))) for d in range(10)]
                + [_confusions(row)]
            )
    out += _table(["model"] + [str(d) for d in range(10)] + ["top confusions"], rows)
    return out


def _confusions(row: dict) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in row.get("top_confusions", {}).items()) or "none"


def _choices_section(report: dict) -> list[str]:
    drawn = report["drawn"]
    default = report["page"]["default_model"]
    out = [
        "## Choices made on the dev part",
        "",
        f"The page uses the **{DEFAULT_RECIPE}** recipe and shows a result as unsure below "
        f"**{UNSURE_BELOW}** (both from app/web/config.json). Dev-part accuracy of `{default}` by recipe "
        "(stroke benchmarks, both layouts):",
        "",
    ]
    rows = []
    for recipe in ("raster", "vector"):
        dev = [
            r
            for r in drawn["results"]
            if r["model"] == default
            and r["recipe"] == recipe
            and r["part"] == "dev"
            and r["benchmark"] in ("traced-mnist", "stroke-fonts", "european")
        ]
        correct = sum(r["accuracy"] * r["count"] for r in dev)
        count = sum(r["count"] for r in dev)
        rows.append([recipe, count, _pct(correct / count if count else None)])
    return out + _table(["recipe", "digits", "dev accuracy"], rows)


def _uncertainty_section(report: dict) -> list[str]:
    drawn = report["drawn"]
    out = [
        "## Honest uncertainty",
        "",
        "Share of wrong answers that a threshold on the top probability flags as unsure, and share of "
        "right answers it flags too (dev part of all digit benchmarks, vector recipe):",
        "",
    ]
    rows = []
    for name, table in drawn["unsure"].items():
        for r in table:
            rows.append([name, r["threshold"], _pct(r["wrong_flagged"]), _pct(r["right_flagged"])])
    out += _table(["model", "unsure below", "wrong flagged", "right flagged"], rows)
    out += ["Non-digits (scribbles, letters A E F H K M N R W X) flagged unsure:", ""]
    rows = []
    for name, recipes in drawn["non_digits"].items():
        v = recipes.get("vector", {})
        rows.append([name] + [_pct(v.get(f"flagged_below_{t}")) for t in (0.5, 0.6, 0.7, 0.8, 0.9)])
    return out + _table(["model", "< 0.5", "< 0.6", "< 0.7", "< 0.8", "< 0.9"], rows)


def _page_section(report: dict) -> list[str]:
    page = report["page"]
    ready = sorted(page["ready_seconds"])
    latency = page["pointer_up_to_prediction_ms"]
    out = [
        "## The page in headless Chromium",
        "",
        f"Default model: `{page['default_model']}`; status line: “{page['backend']}”.",
        "",
    ]
    rows = [
        [
            "navigation → data-ready (median of 5, cold cache)",
            f"{ready[len(ready) // 2]:.2f} s",
            f"≤ {GOALS['ready_seconds']} s",
        ],
        [
            f"pointer-up → prediction shown (median, {latency['count']} strokes)",
            f"{latency['median']:.1f} ms",
            f"≤ {GOALS['latency_ms']} ms",
        ],
        ["pointer-up → prediction shown (p95)", f"{latency['p95']:.1f} ms", ""],
        [
            "bytes transferred until the first prediction (median of 5)",
            f"{page['bytes_to_first_prediction'] / 1024:.0f} KB",
            f"≤ {GOALS['bytes'] // 1000} KB",
        ],
    ]
    out += _table(["measure", "value", "goal"], rows)
    out += ["Inference per digit in the page (TF.js WASM backend, median / p95 of 100):", ""]
    out += _table(
        ["model", "median ms", "p95 ms"], [[n, f"{v[0]:.2f}", f"{v[1]:.2f}"] for n, v in page["inference_ms"].items()]
    )
    if report.get("browser_drawn"):
        out += [
            "### Drawn digits replayed as mouse strokes on the page",
            "",
            "The final part of traced-mnist and european, both layouts, drawn with Playwright's mouse on the "
            "served page and read from `prediction[data-digit]`, each as another writer's (the page forgets the "
            "writer before each), beside the fast Python score of the same digits. *One session*: all read as one "
            "writer's, so a crossed 7 the page saw makes the next uncrossed 7s doubtful (numbers.seen_crossed_seven) "
            "— here the European digits mix crossed and plain 7s, which no one writer does:",
            "",
        ]
        out += _table(
            ["model", "digits", "in the browser", "fast Python", "same answer", "one session"],
            [
                [
                    n,
                    v["count"],
                    _pct(v["accuracy"]),
                    _pct(v["python_accuracy"]),
                    _pct(v["agreement_with_python"]),
                    _pct(v["one_session_accuracy"]) if "one_session_accuracy" in v else "–",
                ]
                for n, v in report["browser_drawn"].items()
            ],
        )
    return out


# The figures the number benchmark breaks down by length and by gap, as the report names them.
BREAKDOWN_FIGURES = {
    "string_accuracy": "strings right",
    "count_accuracy": "digit count right",
    "digit_accuracy_aligned": "digits right, aligned",
}


def _breakdown(methods: dict, key: str, field: str, title: str) -> list[str]:
    """One table of every method's three figures (strings, digit count, digits) per `field` value."""
    values = [row[field] for row in next(iter(methods.values()))[key]]
    rows = [
        [name, label, *[_pct(row[figure]) for row in scores[key]]]
        for name, scores in methods.items()
        for figure, label in BREAKDOWN_FIGURES.items()
    ]
    return [f"{title}:", "", *_table(["method", "figure", *map(str, values)], rows)]


def _numbers_section(report: dict) -> list[str]:
    numbers = report.get("numbers")
    if not numbers:
        return []
    methods = numbers["methods"]
    out = [
        "## Whole numbers",
        "",
        f"{numbers['count']} numbers generated with seed {numbers['seed']} (`src/digitdraw/bench/numbers.py`): "
        "digits traced from MNIST test images, the held-out Hershey fonts, and European 1s and 7s; lengths 1–10, "
        "years and 3-3-4 phone numbers; one writer's slant, size and pen per number; gaps from wide to "
        "overlapping; baseline drift; late strokes. Reader settings (config.json, chosen on the dev part with "
        f"`python -m digitdraw.bench.numbers --tune`): `{numbers['settings']}`. "
        f"Figures on the final part ({numbers['strings']} numbers). The *true split* reads each true digit "
        "with the same classifier: the ceiling for any segmentation.",
        "",
    ]
    rows = []
    for name, scores in methods.items():
        head, every = scores["lengths_2_to_10"], scores["overall"]
        rows.append(
            [
                name,
                _pct(head["string_accuracy"]),
                _pct(head["count_accuracy"]),
                _pct(head["digit_accuracy_aligned"]),
                _pct(every["string_accuracy"]),
            ]
        )
    out += _table(
        [
            "method",
            "strings right (2–10)",
            "digit count right (2–10)",
            "digits right, aligned (2–10)",
            "strings right (1–10)",
        ],
        rows,
    )
    out += _breakdown(methods, "by_length", "length", "By length")
    out += _breakdown(methods, "by_gap", "gap", "By gap between digits (numbers of every length, 1–10)")
    sources = [row["source"] for row in next(iter(methods.values()))["by_source"]]
    out += ["Strings right by where the digits come from (stroke fonts include blackletter and triple-line faces):", ""]
    out += _table(
        ["method", *sources],
        [[name, *[_pct(row["string_accuracy"]) for row in scores["by_source"]]] for name, scores in methods.items()],
    )
    singles = numbers.get("single_digits")
    if singles:
        out += [
            "Single drawn digits (final part of the drawn benchmarks of the same names, centred) through the number "
            "reader, beside reading the whole drawing as one digit with the same classifier, as the page did before "
            "it read numbers:",
            "",
        ]
        out += _table(
            ["source", "digits", "number reader", "whole drawing"],
            [[r["source"], r["digits"], _pct(r["number_reader"]), _pct(r["whole_drawing"])] for r in singles],
        )
    convention = numbers.get("convention")
    if convention:
        out += [
            "The crossed-7 convention (numbers.crossed_sevens: in a number that holds a crossed 7, a digit read as "
            "a 7 without a crossbar is read again with 7 made unlikely), on and off, strings right (2–10 digits). "
            "*long*: the same European numbers with long, almost level flags on their 1s (synth.LONG_FLAG):",
            "",
        ]
        out += _table(
            ["numbers", "1s' flags", "strings", "with the convention", "without"],
            [[r["numbers"], r["flags"], r["strings"], _pct(r["with"]), _pct(r["without"])] for r in convention],
        )
    page = numbers.get("page")
    if page:
        pages = [page, *([numbers["page_phone"]] if numbers.get("page_phone") else [])]
        out += [
            "### Numbers written on the page",
            "",
            f"{page['strings']} final-part numbers replayed as mouse strokes (scaled to fit the 3:1 pad) and read "
            "from `prediction[data-number]`"
            + (
                f"; on a phone, the first {pages[1]['strings']} of them written as touches on a 390×844 page with "
                "a 2× screen, scaled to its narrower 3:2 pad:"
                if len(pages) > 1
                else ":"
            ),
            "",
        ]

        def row(label: str, value) -> list:
            return [label, *[value(p) for p in pages]]

        out += _table(
            ["measure", "desktop", *(["phone"] if len(pages) > 1 else [])],
            [
                row("strings right in the browser", lambda p: _pct(p["string_accuracy"])),
                row("strings right, Python reader on the same strokes", lambda p: _pct(p["python_string_accuracy"])),
                row("same reading in the browser and in Python", lambda p: _pct(p["agreement_with_python"])),
                row("pen-up → shown, 1 digit read (median / p95)", lambda p: _ms(p["latency_ms_1_digit"])),
                row("pen-up → shown, 10 digits read (median / p95)", lambda p: _ms(p["latency_ms_10_digits"])),
                row("pen-ups timed with 1 / with 10 digits read", _counts),
            ],
        )
    return out


def _counts(page: dict) -> str:
    return f"{page['latency_ms_1_digit']['count']} / {page['latency_ms_10_digits']['count']}"


def _ms(spread: dict) -> str:
    return "–" if spread["median"] is None else f"{spread['median']:.1f} / {spread['p95']:.1f} ms"


def published_section(published: dict) -> list[str]:
    """The built site (bench/weight.py): what a visitor downloads and waits for."""
    rows = [
        [
            host,
            f"{f['bytes_to_first_answer'] / 1024:.0f} KB",
            f"{f['reload_bytes'] / 1024:.1f} KB",
            f"{f['ready_median_seconds']:.2f} s",
        ]
        for host, f in published.items()
        if host != "startup_models"
    ]
    models = ", ".join(
        f"{n} {m['bytes'] / 1024:.0f} KB ({m['quantization']})" for n, m in published["startup_models"].items()
    )
    return [
        "## The published page (`digitdraw build-site`)",
        "",
        f"Cold cache, median of {next(iter(published.values()))['runs']} runs; bytes as sent (headers included). "
        f"The two models the page starts with: {models}.",
        "",
        *_table(["served by", "bytes to the first answer", "reload bytes", "navigation → ready"], rows),
    ]


def render(report: dict) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {report['date']}.",
        "",
        f"Machine: {report['machine']}.",
        "",
        (
            "Every model was trained from scratch for this report."
            if report["trained"]
            else "Measured on the bundled models (not retrained for this report)."
        ),
        "",
    ]
    if report.get("remeasured"):  # some sections measured again after a change, with the same code
        lines += [f"*Since then: {report['remeasured']}.*", ""]
    lines += (
        _models_section(report)
        + _drawn_section(report)
        + _choices_section(report)
        + _uncertainty_section(report)
        + _page_section(report)
        + (published_section(report["page"]["published"]) if "published" in report["page"] else [])
        + _numbers_section(report)
        + (writers.markdown(report["writers"]) if report.get("writers") else [])
        + (honesty.markdown(report["honesty"], "reliability.png") if report.get("honesty") else [])
        + _load_section(report)
    )
    return "\n".join(lines) + "\n"


def _load_section(report: dict) -> list[str]:
    if not report.get("read_load"):
        return []
    return [
        "## POST /api/read under load",
        "",
        "`digitdraw serve` on this machine, 50 clients posting the strokes of 1–4-digit numbers as fast as "
        "answers come (bench/load.py; clients and server share the 2 cores):",
        "",
        load.markdown(report["read_load"]),
        "",
    ]
