"""Concurrent model calls made into one: a model call costs much the same for 1 input as for 50.

Each request thread hands its inputs to a `Batcher` and waits. One thread at a time holds the
model; it takes everything queued by then (its own inputs and those of every request that came
in while the model was busy), runs it as one batch and hands each caller its rows. An idle
server adds no delay, since the first caller finds the model free; under load, batches grow
by themselves. `window` adds a wait before each call so more requests can join; it is 0 by
default because the wait did not pay off (see read_api.BATCH_WINDOW_S).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..numbers import Predict

MAX_BATCH = 512  # inputs per model call; a request's own inputs are never split


@dataclass
class _Job:
    inputs: np.ndarray
    done: threading.Event = field(default_factory=threading.Event)
    outputs: np.ndarray | None = None
    error: BaseException | None = None


class Batcher:
    """A Predict that runs the inputs of concurrent callers as one call of `predict`."""

    def __init__(self, predict: Predict, window: float = 0.0, max_batch: int = MAX_BATCH):
        self.predict = predict
        self.window = window
        self.max_batch = max_batch
        self.calls = 0  # model calls made, and the inputs they took: their ratio is the mean batch
        self.inputs = 0
        self._queue: deque[_Job] = deque()
        self._queue_lock = threading.Lock()
        self._model_lock = threading.Lock()

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        job = _Job(inputs)
        with self._queue_lock:
            self._queue.append(job)
        while not job.done.is_set():
            with self._model_lock:
                if job.done.is_set():  # a caller that held the model before us ran our inputs
                    break
                if self.window:
                    time.sleep(self.window)
                self._run(self._take())
        if job.error is not None:
            raise job.error
        return job.outputs

    def _take(self) -> list[_Job]:
        """Queued jobs from the oldest, up to max_batch inputs (always at least one job)."""
        with self._queue_lock:
            jobs = [self._queue.popleft()]  # ours at the latest: it is queued until it is run
            size = len(jobs[0].inputs)
            while self._queue and size + len(self._queue[0].inputs) <= self.max_batch:
                size += len(self._queue[0].inputs)
                jobs.append(self._queue.popleft())
        return jobs

    def _run(self, jobs: list[_Job]) -> None:
        try:
            outputs = np.asarray(self.predict(np.concatenate([job.inputs for job in jobs])))
            self.calls += 1
            self.inputs += len(outputs)
            ends = np.cumsum([len(job.inputs) for job in jobs])[:-1]
            for job, rows in zip(jobs, np.split(outputs, ends)):
                job.outputs = rows
        except BaseException as error:  # every caller in the batch sees the model's failure
            for job in jobs:
                job.error = error
        finally:
            for job in jobs:
                job.done.set()
