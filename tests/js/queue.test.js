// The prediction queue: order kept, stale live jobs skipped, finals never skipped, errors contained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PredictionQueue } from '../../src/digitdraw/app/web/js/queue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function recorder() {
  const ran = [];
  const job = (name, delay = 0) => async () => {
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    ran.push(name);
  };
  return { ran, job };
}

test('jobs wait for ready and run in the order asked, even when an earlier one is slower', async () => {
  let open;
  const ready = new Promise((resolve) => (open = resolve));
  const queue = new PredictionQueue(ready, assert.fail);
  const { ran, job } = recorder();
  queue.push(job('slow', 20), { final: true });
  const last = queue.push(job('fast'), { final: true });
  await tick();
  assert.deepEqual(ran, [], 'nothing runs before ready');
  open();
  await last;
  assert.deepEqual(ran, ['slow', 'fast']);
});

test('a live job is skipped when a newer job is waiting; final jobs never are', async () => {
  const queue = new PredictionQueue(Promise.resolve(), assert.fail);
  const { ran, job } = recorder();
  queue.push(job('busy', 10), { final: true });
  queue.push(job('live-1'), { final: false });
  queue.push(job('final-1'), { final: true });
  queue.push(job('live-2'), { final: false });
  const last = queue.push(job('live-3'), { final: false });
  await last;
  assert.deepEqual(ran, ['busy', 'final-1', 'live-3']);
});

test('a failing job is reported and the next ones still run', async () => {
  const errors = [];
  const queue = new PredictionQueue(Promise.resolve(), (error) => errors.push(error.message));
  const { ran, job } = recorder();
  queue.push(() => Promise.reject(new Error('model failed')), { final: true });
  queue.push(() => {
    throw new Error('thrown');
  }, { final: true });
  await queue.push(job('after'), { final: true });
  assert.deepEqual(errors, ['model failed', 'thrown']);
  assert.deepEqual(ran, ['after']);
});

test('a failed start is reported once through onError, and later jobs still run', async () => {
  const errors = [];
  const queue = new PredictionQueue(Promise.reject(new Error('no models')), (error) => errors.push(error.message));
  const { ran, job } = recorder();
  queue.push(job('first'), { final: true });
  await queue.push(job('second'), { final: true });
  assert.deepEqual(errors, ['no models']);
  assert.deepEqual(ran, ['second']);
});
