import gzip
import struct
import urllib.error

import numpy as np
import pytest

from digitdraw import data


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes()


def test_parse_idx_reads_images_and_labels():
    images = np.arange(2 * 28 * 28, dtype=np.uint32).reshape(2, 28, 28) % 256
    parsed = data.parse_idx(idx_bytes(images, data.IMAGE_MAGIC), data.IMAGE_MAGIC, "images")
    assert parsed.shape == (2, 28, 28) and parsed.dtype == np.uint8
    assert np.array_equal(parsed, images)
    labels = data.parse_idx(idx_bytes(np.array([3, 1, 4]), data.LABEL_MAGIC), data.LABEL_MAGIC, "labels")
    assert labels.tolist() == [3, 1, 4]


def test_parse_idx_rejects_wrong_magic():
    raw = idx_bytes(np.zeros((1, 28, 28)), data.IMAGE_MAGIC)
    with pytest.raises(data.DataError, match="wrong magic"):
        data.parse_idx(raw, data.LABEL_MAGIC, "labels")


def test_parse_idx_rejects_truncated_body_and_header():
    raw = idx_bytes(np.zeros((3, 28, 28)), data.IMAGE_MAGIC)
    with pytest.raises(data.DataError, match="promises 2352 bytes"):
        data.parse_idx(raw[:-10], data.IMAGE_MAGIC, "images")
    with pytest.raises(data.DataError, match="header truncated"):
        data.parse_idx(raw[:10], data.IMAGE_MAGIC, "images")
    with pytest.raises(data.DataError, match="too short"):
        data.parse_idx(raw[:3], data.IMAGE_MAGIC, "images")


def test_load_split_rejects_wrong_count(tmp_path):
    images, labels = tmp_path / "i.gz", tmp_path / "l.gz"
    images.write_bytes(gzip.compress(idx_bytes(np.zeros((5, 28, 28)), data.IMAGE_MAGIC)))
    labels.write_bytes(gzip.compress(idx_bytes(np.zeros(4), data.LABEL_MAGIC)))
    with pytest.raises(data.DataError, match="5 images and 4 labels, expected 5"):
        data.load_split(images, labels, 5)


def test_load_split_rejects_a_file_that_is_not_gzip(tmp_path):
    bad = tmp_path / "i.gz"
    bad.write_bytes(b"this is not gzip at all")
    with pytest.raises(data.DataError, match="not a readable gzip"):
        data.load_split(bad, bad, 1)


def test_checksum_failure_names_the_file(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"corrupt")
    with pytest.raises(data.DataError, match=r"t10k-labels-idx1-ubyte.gz: MD5 is .*corrupt or truncated"):
        data.verify(path, data.FILES["test_labels"][1])


def test_corrupt_file_is_replaced_not_trusted(tmp_path, monkeypatch, mnist):
    """A truncated copy in the cache is detected and fetched again (download stubbed to a good copy)."""
    good = data.resolve_data_dir()
    for name, _ in data.FILES.values():
        (tmp_path / name).write_bytes((good / name).read_bytes())
    victim = tmp_path / data.FILES["test_labels"][0]
    victim.write_bytes(victim.read_bytes()[:1000])
    fetched = []

    def fake_download(name, target, expected_md5):
        fetched.append(name)
        target.write_bytes((good / name).read_bytes())

    monkeypatch.setattr(data, "download", fake_download)
    loaded = data.load_mnist(tmp_path)
    assert fetched == [victim.name]
    assert data.md5_of(victim) == data.FILES["test_labels"][1]
    assert len(loaded.test) == 10_000


def test_no_network_says_how_to_use_a_local_copy(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("network unreachable")

    monkeypatch.setattr(data.urllib.request, "urlopen", refuse)
    monkeypatch.setattr(data.time, "sleep", lambda s: None)
    with pytest.raises(data.DataError, match=r"--data-dir DIR.*DIGITDRAW_DATA"):
        data.load_mnist(tmp_path / "empty-cache")
    assert not list((tmp_path / "empty-cache").glob("*.part")), "no partial download may be left behind"


def test_real_mnist_splits(mnist):
    assert (len(mnist.train), len(mnist.validation), len(mnist.test)) == (55_000, 5_000, 10_000)
    assert mnist.train.images.shape[1:] == (28, 28) and mnist.train.images.dtype == np.uint8
    # the validation split is the tail of the training file, never the test file
    assert not np.array_equal(mnist.validation.images[:10], mnist.test.images[:10])
    assert set(np.unique(mnist.test.labels)) == set(range(10))
