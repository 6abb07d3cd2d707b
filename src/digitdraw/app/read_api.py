"""POST /api/read: an image or a drawing's strokes in, the number's digits and probabilities out.

    curl --data-binary @number.png -H "Content-Type: image/png" http://127.0.0.1:8000/api/read
    curl -d '{"strokes": [[[20, 60], [23, 230]]]}' -H "Content-Type: application/json" .../api/read?model=cnn

The answer is Reading.to_dict() (what `digitdraw predict --json` prints) with the model's name.
Every limit below is checked before the work it bounds, and bad input gets a 4xx whose `detail`
says what was wrong and what to send instead: 400 unparseable, 413 too much, 415 wrong type,
422 well-formed but unusable. Reading runs in worker threads, off the event loop; the model
calls of concurrent requests are batched (batching.py). Each model is loaded once per version.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import SEGMENTER
from ..images import ImageError, ImageTooLargeError
from ..numbers import TooManyPartsError
from .batching import Batcher

if TYPE_CHECKING:
    from ..recognizer import Reading, Recognizer
    from .serve import LiveModels

MAX_BODY_BYTES = 4 * 1024 * 1024  # a phone photo as JPEG; a drawing's strokes are a few KB
MAX_IMAGE_PIXELS = 12_000_000  # checked from the header, before decoding: a 12-megapixel photo passes
MAX_INK_MARKS = 60  # separate ink marks in an image; each costs model inputs (a noise image has thousands)
MAX_STROKES = 60  # a 10-digit number takes 10 to 30
MAX_POINTS_PER_STROKE = 1000  # the page records a few dozen per stroke
MAX_POINTS = 5000  # in all: drawing each candidate digit costs time in proportion
MAX_COORDINATE = 100_000.0  # pad units (the pad is 280 tall): further is a client's bug
MAX_MODEL_NAME = 100
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
JSON_TYPE = "application/json"
ACCEPTED_TYPES = f'{", ".join(IMAGE_FORMATS)} (the file\'s bytes) or {JSON_TYPE} ({{"strokes": ...}})'
STROKES_SHAPE = (
    '{"strokes": [[[x, y], ...], ...], "model": optional name}: strokes in the order written, each a list '
    f"of [x, y] points in pad units (y down), finite numbers within ±{MAX_COORDINATE:,.0f}"
)
# Measured with bench/load.py (50 clients posting 1–4-digit numbers for 20 s, README): batching
# 6.0 requests/s, p99 17 s; with a 2 ms window 6.5/s, p99 17 s (within noise); without 5.5/s,
# p99 24 s. Kept, with no window: it helps under load and adds nothing when idle.
BATCHING = True
BATCH_WINDOW_S = 0.0

Coordinate = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_COORDINATE, le=MAX_COORDINATE)]
Stroke = Annotated[list[tuple[Coordinate, Coordinate]], Field(max_length=MAX_POINTS_PER_STROKE)]


class StrokesBody(BaseModel):
    """The JSON body: strict, so that "12" is not taken for 12 nor true for 1."""

    model_config = ConfigDict(extra="forbid", strict=True)
    strokes: Annotated[list[Stroke], Field(max_length=MAX_STROKES)]
    model: Annotated[str, Field(max_length=MAX_MODEL_NAME)] | None = None


class Readers:
    """One Recognizer per served model, loaded on first use and again when its files change."""

    def __init__(self, models: LiveModels, batching: bool = BATCHING, window: float = BATCH_WINDOW_S):
        self.models = models
        self.batching = batching
        self.window = window
        self._loaded: dict[str, tuple[tuple, Recognizer]] = {}
        self._lock = threading.Lock()  # one load at a time: fifty first requests load a model once

    def get(self, name: str | None) -> Recognizer:
        """The Recognizer for model `name` (None: the default); HTTPException 422 if there is none."""
        from ..recognizer import Recognizer

        found = self.models.current()[0]
        info = next((m for m in found if m.name == name), None) if name else (found[0] if found else None)
        if info is None:
            names = ", ".join(m.name for m in found) or "none"
            raise HTTPException(422, f"no model called {name!r}; choose one of: {names} (GET /api/models lists them)")
        segmenter = next((m for m in found if m.name == SEGMENTER), None)
        key = (info.version, segmenter.version if segmenter else None)
        with self._lock:
            loaded_key, recognizer = self._loaded.get(info.name, (None, None))
            if loaded_key == key:
                return recognizer
            recognizer = Recognizer.load(info.path, segmenter.path if segmenter else SEGMENTER)
            if self.batching:
                recognizer = recognizer.with_predict(lambda predict: Batcher(predict, self.window))
            self._loaded[info.name] = (key, recognizer)
            return recognizer


router = APIRouter()


@router.post("/api/read")
async def read(request: Request, model: Annotated[str | None, Query(max_length=MAX_MODEL_NAME)] = None) -> dict:
    """Read the number in a PNG or JPEG image, or drawn by strokes (see the module's docstring)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in (*IMAGE_FORMATS, JSON_TYPE):
        shown = f"{media_type!r}" if media_type else "no Content-Type"
        raise HTTPException(415, f"cannot read {shown}; send {ACCEPTED_TYPES}")
    body = await _body(request)
    strokes = None
    if media_type == JSON_TYPE:
        parsed = _strokes_body(body)
        if parsed.model and model and parsed.model != model:
            raise HTTPException(422, f"two models asked for ({model!r} in the URL, {parsed.model!r} in the body)")
        model, strokes = model or parsed.model, parsed.strokes
    recognizer = await run_in_threadpool(request.app.state.readers.get, model)
    if strokes is not None:
        reading = await run_in_threadpool(recognizer.read_strokes, strokes)
    else:
        reading = await run_in_threadpool(_read_image, recognizer, body, IMAGE_FORMATS[media_type])
    return {"model": recognizer.name, **reading.to_dict()}


async def _body(request: Request) -> bytes:
    """The body, refused (413) as soon as it is known to pass MAX_BODY_BYTES, before it is all read."""
    too_large = HTTPException(413, f"the body is larger than {MAX_BODY_BYTES:,} bytes; send a smaller image")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    if not size:
        raise HTTPException(400, f"the body is empty; send {ACCEPTED_TYPES}")
    return b"".join(chunks)


def _strokes_body(body: bytes) -> StrokesBody:
    try:
        parsed = StrokesBody.model_validate_json(body)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
        if first["type"] == "json_invalid":
            raise HTTPException(400, f"the body is not JSON ({first['msg']}); send {STROKES_SHAPE}") from None
        if first["type"] == "too_long" and len(first["loc"]) <= 2:  # too many strokes, or points in one
            limit = MAX_STROKES if len(first["loc"]) == 1 else MAX_POINTS_PER_STROKE
            what = "strokes" if len(first["loc"]) == 1 else f"points in {where}"
            raise HTTPException(413, f"too many {what}: at most {limit:,}; send one number at a time") from None
        raise HTTPException(422, f"{where or 'the body'}: {first['msg']}; send {STROKES_SHAPE}") from None
    points = sum(len(stroke) for stroke in parsed.strokes)
    if points > MAX_POINTS:
        raise HTTPException(
            413, f"{points:,} points in all, more than {MAX_POINTS:,}; send fewer (resample the strokes)"
        )
    return parsed


def _read_image(recognizer: Recognizer, body: bytes, file_format: str) -> Reading:
    try:
        return recognizer.read_image(body, max_pixels=MAX_IMAGE_PIXELS, formats=(file_format,), max_parts=MAX_INK_MARKS)
    except ImageTooLargeError as error:
        raise HTTPException(413, str(error)) from None
    except TooManyPartsError as error:
        raise HTTPException(422, f"{error}; crop the image to the number") from None
    except ImageError as error:
        raise HTTPException(422, f"{error}; the Content-Type must match the file's format") from None
