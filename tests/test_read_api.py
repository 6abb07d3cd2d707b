"""POST /api/read: numbers read from PNG, JPEG and strokes; every limit answered by its 4xx with a
detail that says what to do; concurrent model calls batched; and no input at all gets a 5xx."""

import io
import json
import threading
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from written_numbers import image_of, strokes_of

from digitdraw.app import read_api, serve
from digitdraw.app.batching import Batcher

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client():
    return TestClient(serve.create_app())


def strokes_json(number: str) -> dict:
    return {"strokes": [np.round(s, 2).tolist() for s in strokes_of(number)]}


def post(client, body: bytes, content_type: str | None, query: str = ""):
    headers = {"content-type": content_type} if content_type else {}
    return client.post(f"/api/read{query}", content=body, headers=headers)


@pytest.mark.parametrize("number", ["7", "2024"])
def test_reads_png_jpeg_and_strokes(client, number):
    answers = [
        post(client, image_of(number), "image/png"),
        post(client, image_of(number, "JPEG"), "image/jpeg"),
        client.post("/api/read", json=strokes_json(number)),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        reading = answer.json()
        assert reading["number"] == number and reading["model"] == "robust-cnn"
        assert all(len(d["probabilities"]) == 10 and 0 <= d["confidence"] <= 1 for d in reading["digits"])
    assert answers[0].headers["content-security-policy"].startswith("default-src 'self'")
    assert answers[0].headers["x-content-type-options"] == "nosniff"


def test_the_model_is_chosen_by_query_or_body(client):
    by_query = post(client, image_of("31"), "image/png; charset=binary", "?model=cnn")
    assert by_query.json()["model"] == "cnn" and by_query.json()["number"] == "31"
    by_body = client.post("/api/read", json={**strokes_json("31"), "model": "mlp"})
    assert by_body.json()["model"] == "mlp" and by_body.json()["number"] == "31"


def test_an_empty_drawing_is_an_empty_reading(client):
    answer = client.post("/api/read", json={"strokes": []})
    assert answer.status_code == 200 and answer.json()["number"] == "" and "no ink" in answer.json()["error"]


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def too_many_pixels() -> bytes:
    """A 1-bit PNG of more pixels than allowed: a few KB of file, megapixels once decoded."""
    side = int(np.sqrt(read_api.MAX_IMAGE_PIXELS)) + 10
    buffer = io.BytesIO()
    Image.new("1", (side, side), 1).save(buffer, format="PNG")
    return buffer.getvalue()


def dots(count: int) -> bytes:
    """`count` separate square marks on white."""
    image = np.full((40, 40 * count), 255, np.uint8)
    for k in range(count):
        image[10:30, 40 * k + 10 : 40 * k + 30] = 0
    return png(image)


def as_json(value) -> bytes:
    return json.dumps(value).encode()


LIMITS = [
    # (what, body, content type, query, status, words in the detail)
    ("body bytes", b"\x89PNG" + b"\0" * read_api.MAX_BODY_BYTES, "image/png", "", 413, "larger than"),
    ("image pixels", too_many_pixels(), "image/png", "", 413, "scale it down"),
    ("ink marks", dots(read_api.MAX_INK_MARKS + 1), "image/png", "", 422, "crop the image"),
    ("strokes", as_json({"strokes": [[[1, 2]]] * (read_api.MAX_STROKES + 1)}), "application/json", "", 413, "strokes"),
    (
        "points per stroke",
        as_json({"strokes": [[[1, 2]] * (read_api.MAX_POINTS_PER_STROKE + 1)]}),
        "application/json",
        "",
        413,
        "points in strokes[0]",
    ),
    (
        "points in all",
        as_json({"strokes": [[[1, 2]] * read_api.MAX_POINTS_PER_STROKE] * (read_api.MAX_POINTS // 1000 + 1)}),
        "application/json",
        "",
        413,
        "resample",
    ),
    ("coordinate range", as_json({"strokes": [[[1, 2], [1e9, 2]]]}), "application/json", "", 422, "strokes[0][1][0]"),
    ("NaN", b'{"strokes": [[[1, 2], [NaN, 2]]]}', "application/json", "", 422, "finite"),
    ("string numbers", as_json({"strokes": [[["1", "2"]]]}), "application/json", "", 422, "valid number"),
    ("three coordinates", as_json({"strokes": [[[1, 2, 3]]]}), "application/json", "", 422, "strokes[0][0]"),
    ("unknown field", as_json({"strokes": [], "pen": 3}), "application/json", "", 422, "pen"),
    ("no strokes field", as_json({"points": []}), "application/json", "", 422, "strokes"),
    ("not JSON", b"{strokes: oops", "application/json", "", 400, "not JSON"),
    ("empty body", b"", "image/png", "", 400, "empty"),
    ("not a PNG", b"GIF89a...", "image/png", "", 422, "not PNG"),
    ("PNG sent as JPEG", image_of("7"), "image/jpeg", "", 422, "Content-Type must match"),
    ("wrong content type", b"7", "text/plain", "", 415, "image/png"),
    ("no content type", b"7", None, "", 415, "no Content-Type"),
    ("unknown model", image_of("7"), "image/png", "?model=nope", 422, "choose one of"),
    ("model name too long", image_of("7"), "image/png", "?model=" + "m" * 200, 422, "model"),
    ("two models", as_json({"strokes": [], "model": "cnn"}), "application/json", "?model=mlp", 422, "two models"),
]


@pytest.mark.parametrize("what, body, content_type, query, status, words", LIMITS, ids=[x[0] for x in LIMITS])
def test_each_limit_and_mistake_has_its_4xx_and_says_what_to_do(client, what, body, content_type, query, status, words):
    answer = post(client, body, content_type, query)
    assert answer.status_code == status, answer.text
    assert words in json.dumps(answer.json()["detail"])


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(client):
    answer = client.post(
        "/api/read",
        content=b"{}",
        headers={**JSON, "content-length": str(read_api.MAX_BODY_BYTES + 1)},
    )
    assert answer.status_code == 413


def test_concurrent_model_calls_share_one_batch():
    calls = []

    def slow_double(batch):
        calls.append(len(batch))
        time.sleep(0.05)  # long enough for every other caller to queue behind the first call
        return batch * 2

    batcher = Batcher(slow_double)
    inputs = [np.full((k + 1, 3), float(k)) for k in range(8)]
    results = [None] * len(inputs)

    def call(k):
        results[k] = batcher(inputs[k])

    threads = [threading.Thread(target=call, args=(k,)) for k in range(len(inputs))]
    for thread in threads:
        thread.start()
        time.sleep(0.002)
    for thread in threads:
        thread.join()
    for given_input, result in zip(inputs, results):
        np.testing.assert_array_equal(result, given_input * 2)
    assert len(calls) < len(inputs) and sum(calls) == sum(len(x) for x in inputs)


def test_a_failing_model_call_fails_every_caller_in_its_batch():
    def broken(batch):
        raise RuntimeError("model fell over")

    with pytest.raises(RuntimeError, match="fell over"):
        Batcher(broken)(np.zeros((1, 3)))


# ---- fuzzing: whatever arrives, the answer is never a 5xx ------------------------------------

CONTENT_TYPES = st.one_of(
    st.sampled_from(["image/png", "image/jpeg", "application/json", "application/json; charset=utf-8", "text/plain"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
)
NUMBER = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(min_value=0, max_value=280),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | NUMBER | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
STROKES = st.lists(st.lists(st.tuples(NUMBER, NUMBER), max_size=30), max_size=8)
STROKES_BODIES = st.one_of(
    st.fixed_dictionaries({"strokes": STROKES}),
    st.fixed_dictionaries({"strokes": STROKES}, optional={"model": st.text(max_size=12)}),
    st.dictionaries(st.sampled_from(["strokes", "model", "x"]), JSON_VALUES, max_size=3),
    JSON_VALUES,
)
VALID_IMAGES = [image_of("7"), image_of("42", "JPEG"), png(np.zeros((1, 1), np.uint8)), dots(3)]


@st.composite
def damaged_images(draw) -> bytes:
    """A real PNG or JPEG, truncated or with some bytes overwritten."""
    data = bytearray(draw(st.sampled_from(VALID_IMAGES)))
    for _ in range(draw(st.integers(0, 6))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(1, len(data)))])


BODIES = st.one_of(
    st.binary(max_size=2000),
    STROKES_BODIES.map(lambda value: json.dumps(value).encode()),
    damaged_images(),
)


MODELS = st.one_of(st.none(), st.sampled_from(["cnn", "", "nope", "../x"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(body=BODIES, content_type=CONTENT_TYPES, model=MODELS)
def test_no_body_content_type_or_model_gets_a_5xx(client, body, content_type, model):
    query = "" if model is None else f"?model={model}"
    answer = post(client, body, content_type, query)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        detail = answer.json()["detail"]
        assert detail and isinstance(detail, (str, list)), detail
