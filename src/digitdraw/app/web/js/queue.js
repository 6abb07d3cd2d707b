/**
 * The order predictions are shown in. No DOM: tested under `node --test`.
 *
 * Jobs run one after another, so results appear in the order they were asked for. A live job
 * (mid-stroke) is skipped when a newer job is already waiting — only the latest drawing matters —
 * while a final job (pen up, clear, undo, Predict) always runs. A failing job is reported and
 * the jobs after it still run.
 */
export class PredictionQueue {
  /**
   * @param {Promise<unknown>} ready jobs wait for this (e.g. the model loading)
   * @param {(error: Error) => void} onError told about a failing job, or a failed `ready`
   */
  constructor(ready, onError) {
    this.tail = ready;
    this.issued = 0;
    this.onError = onError;
  }

  /**
   * Queue `job`; returns a promise that settles when it has run (or been skipped).
   * @param {() => (void | Promise<void>)} job
   * @param {{final: boolean}} options
   * @returns {Promise<void>}
   */
  push(job, { final }) {
    const ticket = ++this.issued;
    const run = () => (final || ticket === this.issued ? job() : undefined);
    this.tail = this.tail.then(run).catch((error) => this.onError(error));
    return this.tail;
  }
}
