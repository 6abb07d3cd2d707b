/**
 * <digit-pad>: a drawing pad that reads what is written on it, for any page.
 *
 *   <digit-pad models="https://example.org/digitdraw/models.json"></digit-pad>
 *
 * Attributes: `models` (a models.json URL; default: the site's, or 'models.json' beside the
 * page), `model` (a model name; changing it switches), `width` and `height` (CSS pixels; or size
 * it with CSS), `remember` (keep taught examples in this origin's localStorage; default: memory).
 * Events (bubbling, crossing shadow roots): `digitdraw-ready` {model, models, backend} once the
 * models are loaded; `digitdraw-read`, a Reading (digitdraw.js) plus its `strokes`, each time the
 * pen lifts, or the drawing is cleared or undone; `digitdraw-error` {message} when loading or
 * reading fails. Methods: clear(), undo(), teach(digit). CSS: ::part(pad), ::part(result),
 * ::part(clear); --digit-pad-ink, --digit-pad-paper, --digit-pad-accent, --digit-pad-error.
 *
 * The shadow DOM's style is a constructed style sheet, so a strict CSP (style-src 'self') allows it.
 */
import { createRecognizer } from './digitdraw.js';
import { DrawingPad } from './pad.js';
import { PredictionQueue } from './queue.js';
import { browserStorage, memoryStorage } from './recognizer.js';

const STYLE = `
:host { display: inline-flex; flex-direction: column; gap: 0.25rem; width: 20rem; height: 15rem; vertical-align: top;
  --accent: var(--digit-pad-accent, #1d4ed8); --error: var(--digit-pad-error, #b91c1c); }
:host([hidden]) { display: none; }
canvas { flex: 1 1 auto; min-height: 0; width: 100%; box-sizing: border-box; border: 1px solid #8888; border-radius: 0.5rem;
  background: var(--digit-pad-paper, #fff); color: var(--digit-pad-ink, #111); touch-action: none; cursor: crosshair; }
canvas:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.bar { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; }
output { font-variant-numeric: tabular-nums; }
`;
const HINT = 'Draw a digit or a number';

/** The element; `customElements.define('digit-pad', DigitPad)` is done on import. */
export class DigitPad extends HTMLElement {
  static observedAttributes = ['models', 'model', 'width', 'height'];
  /** @type {import('./digitdraw.js').DigitRecognizer|null} the reader, once ready (teach, export… on it) */
  recognizer = null;
  /** @type {Promise<import('./digitdraw.js').DigitRecognizer>|null} settles when the models are loaded */
  ready = null;
  #pad;
  #result;
  #queue = null;
  #generation = 0;
  #style = new CSSStyleSheet();

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    this.#style.replaceSync(STYLE);
    root.adoptedStyleSheets = [this.#style];
    const canvas = Object.assign(document.createElement('canvas'), { tabIndex: 0 });
    canvas.setAttribute('part', 'pad');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Drawing pad: write a digit or a number with a mouse, finger or pen. Escape clears, Ctrl+Z undoes');
    const bar = Object.assign(document.createElement('div'), { className: 'bar' });
    this.#result = Object.assign(document.createElement('output'), { textContent: 'Loading…' });
    this.#result.setAttribute('part', 'result');
    this.#result.setAttribute('aria-live', 'polite');
    const clear = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Clear' });
    clear.setAttribute('part', 'clear');
    clear.addEventListener('click', () => this.clear());
    bar.append(this.#result, clear);
    root.append(canvas, bar);
    this.#pad = new DrawingPad(canvas);
    for (const type of ['strokeend', 'clear', 'undo']) this.#pad.addEventListener(type, () => this.#read());
    canvas.addEventListener('keydown', (event) => this.#key(event));
  }

  connectedCallback() {
    this.#size();
    if (!this.ready) this.#start();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after || !this.ready) return;
    if (name === 'models') this.#start();
    else if (name === 'model') this.#switch(after);
    else this.#size();
  }

  /** @returns {number[][][]} the strokes drawn, in pad units */
  get strokes() {
    return this.#pad.strokes.map((s) => s.map((p) => [...p]));
  }

  /** Wipe the drawing (fires `digitdraw-read` with nothing read). */
  clear() {
    this.#pad.clear();
  }

  /** Take back the last stroke (fires `digitdraw-read`). */
  undo() {
    this.#pad.undo();
  }

  /**
   * Teach that the drawing is `digit`, then read it again.
   * @param {number} digit 0–9
   * @returns {Promise<void>} settles once the drawing has been read again
   * @throws {Error} when not ready, nothing is drawn, or the example is refused
   */
  teach(digit) {
    if (!this.recognizer) throw new Error('<digit-pad> is not ready yet: wait for digitdraw-ready');
    if (this.#pad.isEmpty) throw new Error('draw the digit first, then teach it');
    this.recognizer.teach(digit, this.strokes);
    return this.#read();
  }

  #start() {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation; // a newer `models` wins over this load
    this.recognizer = null;
    this.dataset.ready = 'false';
    this.#result.textContent = 'Loading…';
    this.ready = createRecognizer({
      modelsUrl: this.getAttribute('models') || undefined,
      model: this.getAttribute('model') || undefined,
      storage: this.hasAttribute('remember') ? browserStorage() : memoryStorage(),
    });
    this.#queue = new PredictionQueue(
      this.ready.catch(() => undefined),
      (error) => this.#fail(`reading failed: ${error.message}`),
    );
    this.ready.then(
      (recognizer) => {
        if (!current()) return;
        this.recognizer = recognizer;
        this.dataset.ready = 'true';
        this.#result.textContent = HINT;
        this.#emit('digitdraw-ready', { model: recognizer.model, models: recognizer.models, backend: recognizer.backend });
        if (!this.#pad.isEmpty) this.#read();
      },
      (error) => current() && this.#fail(`could not start: ${error.message}`),
    );
    this.ready.catch(() => undefined); // reported as digitdraw-error; not an unhandled rejection as well
  }

  async #switch(name) {
    try {
      await this.ready;
      await this.recognizer.use(name);
      this.#emit('digitdraw-ready', { model: name, models: this.recognizer.models, backend: this.recognizer.backend });
      if (!this.#pad.isEmpty) this.#read();
    } catch (error) {
      this.#fail(error.message);
    }
  }

  /** A final reading of the drawing as it is now, in the order asked (queue.js). */
  #read() {
    const strokes = this.strokes;
    return this.#queue.push(
      async () => {
        if (!this.recognizer) return;
        const reading = await this.recognizer.read(strokes);
        this.#show(reading);
        this.#emit('digitdraw-read', { ...reading, strokes });
      },
      { final: true },
    );
  }

  #show(reading) {
    const read = reading.number !== null;
    this.#pad.showMarks(
      read ? reading.digits.map((d) => ({ box: d.box, label: String(d.digit), selected: false, unsure: d.unsure })) : [],
    );
    const unsure = reading.runTogether || reading.maybeNotADigit || reading.digits.some((d) => d.unsure);
    if (read) this.#result.textContent = `Read: ${reading.number}${unsure ? ' (unsure)' : ''}`;
    else this.#result.textContent = reading.rejected ? 'That does not look like a digit' : HINT;
  }

  #fail(message) {
    if (!this.recognizer) this.dataset.ready = 'error';
    this.#result.textContent = message;
    this.#emit('digitdraw-error', { message });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #size() {
    for (const side of ['width', 'height']) {
      const value = Number(this.getAttribute(side));
      if (value > 0) this.style[side] = `${value}px`; // CSSOM, which a strict CSP allows (a style attribute it would not)
    }
  }

  #key(event) {
    if (event.key === 'Escape') this.clear();
    else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      this.undo();
    }
  }
}

if (!customElements.get('digit-pad')) customElements.define('digit-pad', DigitPad);
