"""The `digitdraw` command: one subcommand per thing a user does with the pipeline.

Heavy imports (TensorFlow) happen inside the subcommands that need them, so `--help`,
`models` and `serve` start in a fraction of a second. Developer tools (benchmarks, golden
vectors) are not here: they are `make bench` and `make golden`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .models import RECIPES

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
EXIT_USAGE = 2  # argparse's own code for a bad command line; also bad data or model folders
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
QUANTIZE_CHOICES = ("float16", "uint8", "float32")


class UsageError(Exception):
    """The command line named something that is not there; the message says what."""


def positive_int(text: str) -> int:
    """argparse type: a whole number ≥ 1, with a message that says so."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1–65535 (0 would bind a random port the message could not name)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {value}")
    return value


def _uses_tensorflow() -> None:
    from .quiet import filter_tensorflow_noise

    filter_tensorflow_noise()


def cmd_data(args) -> int:
    from . import data

    mnist = data.load_mnist(args.data_dir)
    folder = data.resolve_data_dir(args.data_dir)
    print(
        f"MNIST verified in {folder}: train {len(mnist.train)}, validation {len(mnist.validation)} "
        f"(last {data.VALIDATION_SIZE} of the training file), test {len(mnist.test)}"
    )
    return 0


def cmd_train(args) -> int:
    _uses_tensorflow()
    from . import train

    out = Path(args.out or Path("models") / args.model)
    metadata = train.train(
        args.model,
        out,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        data_dir=args.data_dir,
        quantize=args.quantize,
    )
    print(
        f"{args.model}: test accuracy {metadata['test_accuracy']:.2%}, "
        f"{metadata['training']['seconds']:.0f} s, written to {out}"
    )
    return 0


def cmd_export(args) -> int:
    _uses_tensorflow()
    from . import tfjs
    from .app import catalog

    source = catalog.resolve(args.model)
    model = tfjs.load(source)
    metadata = tfjs.read_metadata(source)
    previous = metadata.pop("format", {}).get("quantization", "float32")
    # The metadata says how this copy was made, after the training command it already records.
    command = f"digitdraw export {source.name} --quantize {args.quantize or 'float32'}"
    metadata.setdefault("exports", []).append({"from": previous, "command": command})
    tfjs.save(model, Path(args.out), metadata=metadata, quantize=args.quantize)
    if "test_accuracy" in metadata:  # quantising moves the weights: measure the copy as written
        from . import data, evaluate

        metadata["exports"][-1]["source_test_accuracy"] = metadata["test_accuracy"]
        written = tfjs.load(Path(args.out))
        metadata["test_accuracy"] = evaluate.score(written, data.load_mnist(args.data_dir).test)["accuracy"]
        tfjs.save(written, Path(args.out), metadata=metadata, quantize=args.quantize)
    print(
        f"wrote {args.out} ({args.quantize or 'float32'}, "
        f"{tfjs.read_metadata(Path(args.out))['format']['weight_bytes']} bytes of weights)"
    )
    return 0


def _models_dir(argument: str | None, flag: str = "--models") -> Path:
    from .app import catalog

    if argument is None:
        return catalog.BUNDLED_DIR
    folder = Path(argument)
    if not folder.is_dir():
        raise UsageError(
            f"{flag} {argument}: no such folder; give a folder that holds model folders "
            "(each with model.json), e.g. the --out folder of `digitdraw train`"
        )
    return folder


def cmd_models(args) -> int:
    from .app import catalog

    models, problems = catalog.scan(_models_dir(args.models))
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
    _uses_tensorflow()
    from . import data, evaluate, tfjs
    from .app import catalog

    folder = catalog.resolve(args.model)
    model = tfjs.load(folder)
    mnist = data.load_mnist(args.data_dir)
    result, probabilities = evaluate.score_with_probabilities(model, mnist.test)
    if args.plot:
        result["plots"] = [
            str(p) for p in evaluate.plot(result, mnist.test, probabilities, Path(args.plot), folder.name)
        ]
    print(json.dumps(result, indent=2) if args.json else evaluate.format_report(folder.name, result))
    return 0


def cmd_calibrate(args) -> int:
    _uses_tensorflow()
    from . import calibration, data
    from .app import catalog

    folder = catalog.resolve(args.model)
    record = calibration.calibrate_folder(folder, data.load_mnist(args.data_dir).validation)
    print(
        f"{folder.name}: temperature {record['temperature']} (expected calibration error on the validation split "
        f"{record['ece_before']:.4f} → {record['ece_after']:.4f}), written to {folder / 'metadata.json'}"
    )
    return 0


RUN_TOGETHER = "the digits' strokes run together, as a letter's do: is it a number?"
MAYBE_NOT_A_DIGIT = "it may not be a digit at all (a mark or a letter?)"


def _reading_text(path, reading) -> str:
    lines = [f"{path}: {reading.number}" + (f"   (or perhaps {reading.alternative})" if reading.alternative else "")]
    if reading.run_together:
        lines.append(f"  unsure: {RUN_TOGETHER}")
    if reading.maybe_not_a_digit:
        lines.append(f"  unsure: {MAYBE_NOT_A_DIGIT}")
    for index, d in enumerate(reading.digits, 1):
        bars = "  ".join(f"{digit}:{p:.3f}" for digit, p in enumerate(d.probabilities))
        doubt = f", unsure: {d.digit} or {d.runner_up}" if d.unsure else ""
        lines.append(f"  digit {index}: {d.digit} ({d.confidence:.1%}{doubt})   {bars}")
    return "\n".join(lines)


def cmd_predict(args) -> int:
    _uses_tensorflow()
    from .adapt import ExamplesError
    from .recognizer import Recognizer

    try:
        recognizer = Recognizer.load(args.model, examples=args.examples or ())
    except ExamplesError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    status = 0
    for path in args.images:
        try:
            reading = recognizer.read_image(path)
        except (ValueError, OSError) as error:  # the messages name the file
            print(f"error: {error}", file=sys.stderr)
            status = 1
            continue
        if args.json:
            print(json.dumps({"image": str(path), **reading.to_dict()}))
        else:
            print(f"{path}: {reading.error}" if reading.error else _reading_text(path, reading))
    return status


def cmd_serve(args) -> int:
    from .app import serve, site

    try:
        serve.frame_ancestors_policy(args.frame_ancestors)  # a bad value is a usage error, before any work
    except ValueError as error:
        raise UsageError(str(error)) from None
    try:
        return serve.run(
            host=args.host,
            port=args.port,
            models_dir=_models_dir(args.models),
            open_browser=args.open,
            frame_ancestors=args.frame_ancestors,
        )
    except site.SiteError as error:
        raise UsageError(str(error)) from None


def cmd_build_site(args) -> int:
    from .app import site

    try:
        listing = site.build(Path(args.out), _models_dir(args.models_dir, "--models-dir"), args.models, args.base_path)
    except site.SiteError as error:
        raise UsageError(str(error)) from None
    names = ", ".join(m["name"] for m in listing["models"])
    print(f"wrote the site to {args.out} ({names}); publish the folder as it is, at a domain root or any sub-path")
    for problem in listing["problems"]:
        print(f"warning: left out a broken model: {problem}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitdraw", description="Handwritten digits: train in Keras, export to TF.js, recognize in the browser."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_data(p):
        p.add_argument(
            "--data-dir",
            "--dir",
            dest="data_dir",
            help="folder with the four MNIST .gz files (default: $DIGITDRAW_DATA, then a user cache)",
        )
        return p

    with_data(sub.add_parser("data", help="find or download MNIST and verify its checksums")).set_defaults(run=cmd_data)

    p = with_data(sub.add_parser("train", help="train a model from scratch and write it as a TF.js folder"))
    p.add_argument("model", choices=tuple(RECIPES))
    p.add_argument("--epochs", type=positive_int, help="default: the recipe's")
    p.add_argument("--batch-size", type=positive_int, help="default: the recipe's")
    p.add_argument("--seed", type=int, default=1, help="random seed; same seed, same machine, same model")
    p.add_argument("--out", help="output folder (default: models/MODEL)")
    p.add_argument(
        "--quantize",
        choices=QUANTIZE_CHOICES,
        help="how to store the weights (default: the recipe's: float16 for robust-cnn, else float32)",
    )
    p.set_defaults(run=cmd_train)

    p = with_data(sub.add_parser("export", help="rewrite a model folder, optionally quantised"))
    p.add_argument("model", help="bundled model name or folder")
    p.add_argument("--quantize", choices=QUANTIZE_CHOICES)
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

    p = with_data(
        sub.add_parser("calibrate", help="fit the model's temperature on the validation split (honest confidence)")
    )
    p.add_argument("model", help="bundled model name or folder")
    p.set_defaults(run=cmd_calibrate)

    p = sub.add_parser("predict", help="read the digit or number in image files (PNG/JPEG, scans, photos)")
    p.add_argument("model", help="bundled model name or folder")
    p.add_argument("images", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--examples", metavar="FILE", help="a writer's examples exported from the page: read adapted to their hand"
    )
    p.set_defaults(run=cmd_predict)

    p = sub.add_parser("serve", help="start the web page")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=port_number, default=8000)
    p.add_argument("--models", help="a folder of model folders (default: the bundled models)")
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    p.add_argument(
        "--frame-ancestors",
        metavar="SOURCES",
        help="the sites that may show the pages in a frame, as CSP sources separated by spaces, e.g. "
        "\"'self' https://example.org\" (default: none may)",
    )
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("build-site", help="write the page as a static site for any web host (no server needed)")
    p.add_argument("out", help="folder to write (new, empty, or an earlier build, which it replaces)")
    p.add_argument("--models", nargs="+", metavar="NAME", help="the models to publish (default: all in --models-dir)")
    p.add_argument("--models-dir", help="a folder of model folders (default: the bundled models)")
    p.add_argument(
        "--base-path",
        help="the path the site will be served under, e.g. /digitdraw/; optional (every URL is relative): "
        "it only pins the installed app's identity and start page to that path",
    )
    p.set_defaults(run=cmd_build_site)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .data import DataError
    from .tfjs import ModelFormatError

    try:
        return args.run(args)
    except (DataError, ModelFormatError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
