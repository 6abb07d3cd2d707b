"""The `digitdraw` command: one subcommand per pipeline stage.

Heavy imports (TensorFlow) happen inside the subcommands that need them, so `--help`,
`models` and `serve` start in a fraction of a second.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MODEL_CHOICES = ("mlp", "cnn", "keras-cnn", "robust-cnn")


def cmd_data(args) -> int:
    from . import data

    mnist = data.load_mnist(args.data_dir)
    folder = data.resolve_data_dir(args.data_dir)
    print(f"MNIST verified in {folder}: train {len(mnist.train)}, validation {len(mnist.validation)} "
          f"(last {data.VALIDATION_SIZE} of the training file), test {len(mnist.test)}")
    return 0


def cmd_train(args) -> int:
    from . import train

    out = Path(args.out or Path("models") / args.model)
    metadata = train.train(args.model, out, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                           data_dir=args.data_dir,
                           quantize="recipe" if args.quantize is None else (None if args.quantize == "float32" else args.quantize))
    print(f"{args.model}: test accuracy {metadata['test_accuracy']:.2%}, "
          f"{metadata['training']['seconds']:.0f} s, written to {out}")
    return 0


def cmd_export(args) -> int:
    from . import catalog, tfjs

    source = catalog.resolve(args.model)
    model = tfjs.load(source)
    metadata = tfjs.read_metadata(source)
    metadata.pop("format", None)
    tfjs.save(model, Path(args.out), metadata=metadata, quantize=args.quantize)
    print(f"wrote {args.out} ({args.quantize or 'float32'}, "
          f"{tfjs.read_metadata(Path(args.out))['format']['weight_bytes']} bytes of weights)")
    return 0


def cmd_models(args) -> int:
    from . import catalog

    models, problems = catalog.scan(Path(args.models) if args.models else catalog.BUNDLED_DIR)
    summaries = [m.summary() for m in models]
    if args.json:
        print(json.dumps({"models": summaries, "problems": problems}, indent=2))
    else:
        for s in summaries:
            accuracy = f"{s['test_accuracy']:.2%}" if s["test_accuracy"] is not None else "?"
            print(f"{s['name']:<12} {accuracy:>7}  {s['size_bytes'] / 1024:>8.0f} KB  {s['path']}")
        for problem in problems:
            print(f"broken: {problem}", file=sys.stderr)
    return 0


def cmd_evaluate(args) -> int:
    from . import catalog, data, evaluate, tfjs

    folder = catalog.resolve(args.model)
    model = tfjs.load(folder)
    mnist = data.load_mnist(args.data_dir)
    result, probabilities = evaluate.score_with_probabilities(model, mnist.test)
    if args.plot:
        result["plots"] = [str(p) for p in evaluate.plot(result, mnist.test, probabilities, Path(args.plot),
                                                        folder.name)]
    print(json.dumps(result, indent=2) if args.json else evaluate.format_report(folder.name, result))
    return 0


def cmd_predict(args) -> int:
    from . import catalog, preprocess, tfjs

    model = tfjs.load(catalog.resolve(args.model))
    status = 0
    for path in args.images:
        try:
            inputs = preprocess.mnist_from_ink(preprocess.load_image(path))
        except preprocess.NoInkError as error:
            print(f"{path}: {error}")
            continue
        except (ValueError, FileNotFoundError) as error:
            print(f"{path}: error: {error}", file=sys.stderr)
            status = 1
            continue
        probabilities = model.predict(inputs[None, ..., None], verbose=0)[0]
        digit = int(probabilities.argmax())
        if args.json:
            print(json.dumps({"image": str(path), "digit": digit,
                              "probabilities": [round(float(p), 6) for p in probabilities]}))
        else:
            bars = "  ".join(f"{d}:{p:.3f}" for d, p in enumerate(probabilities))
            print(f"{path}: {digit} ({probabilities[digit]:.1%})   {bars}")
    return status


def cmd_serve(args) -> int:
    from . import serve

    return serve.run(host=args.host, port=args.port, models_dir=args.models, open_browser=args.open)


def cmd_golden(args) -> int:
    from . import golden

    path = golden.write(Path(args.out))
    print(f"wrote {path}")
    return 0


def cmd_bench_drawn(args) -> int:
    from . import drawn_bench

    return drawn_bench.main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digitdraw", description="Handwritten digits: train in Keras, "
                                     "export to TF.js, recognize in the browser.")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_data(p):
        p.add_argument("--data-dir", "--dir", dest="data_dir",
                       help="folder with the four MNIST .gz files (default: $DIGITDRAW_DATA, then a user cache)")
        return p

    with_data(sub.add_parser("data", help="find or download MNIST and verify its checksums")).set_defaults(
        run=cmd_data)

    p = with_data(sub.add_parser("train", help="train a model from scratch and write it as a TF.js folder"))
    p.add_argument("model", choices=MODEL_CHOICES)
    p.add_argument("--epochs", type=int, help="default: the recipe's")
    p.add_argument("--batch-size", type=int, help="default: the recipe's")
    p.add_argument("--seed", type=int, default=1, help="random seed; same seed, same machine, same model")
    p.add_argument("--out", help="output folder (default: models/MODEL)")
    p.add_argument("--quantize", choices=("float16", "uint8", "float32"), default=None,
                   help="how to store the weights (default: the recipe's: float16 for robust-cnn, else float32)")
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("export", help="rewrite a model folder, optionally quantised")
    p.add_argument("model", help="bundled model name or folder")
    p.add_argument("--quantize", choices=("float16", "uint8"))
    p.add_argument("--out", required=True)
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("models", help="list the bundled models (or those in --models DIR)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--models", help="a folder of model folders")
    p.set_defaults(run=cmd_models)

    p = with_data(sub.add_parser("evaluate", help="accuracy, per-class precision/recall and confusion on MNIST test"))
    p.add_argument("model", help="bundled model name or folder")
    p.add_argument("--json", action="store_true")
    p.add_argument("--plot", metavar="DIR", help="write confusion.png and misclassified.png here")
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("predict", help="classify image files (PNG/JPEG, either polarity)")
    p.add_argument("model", help="bundled model name or folder")
    p.add_argument("images", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_predict)

    p = sub.add_parser("serve", help="start the web page")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--models", help="a folder of model folders (default: the bundled models)")
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("golden", help="write the preprocessing golden vectors the JS tests check against")
    p.add_argument("--out", default="tests/golden/preprocess.json")
    p.set_defaults(run=cmd_golden)

    p = with_data(sub.add_parser("bench-drawn", help="accuracy on drawn-digit benchmarks (see docs/benchmarks.md)"))
    p.add_argument("--models", nargs="*", help="bundled names or folders (default: all bundled)")
    p.add_argument("--count", type=int, default=2000, help="digits per benchmark")
    p.add_argument("--browser", type=int, default=0, help="also replay this many digits in Chromium")
    p.add_argument("--out", default="docs/drawn-benchmarks.json")
    p.set_defaults(run=cmd_bench_drawn)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .data import DataError
    from .tfjs import ModelFormatError

    try:
        return args.run(args)
    except (DataError, ModelFormatError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
