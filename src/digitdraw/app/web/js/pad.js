/**
 * The drawing pad: Pointer Events in, strokes out. Strokes are data (arrays of [x, y] points in
 * pad units: the pad is PAD_UNITS tall, and as many units wide as its on-screen shape makes it),
 * so they can be undone, redrawn at any resolution, and preprocessed without reading pixels back
 * from the canvas. Over the strokes it can show the digits read, each as a faint labelled box.
 *
 * Events: 'strokeupdate' while a stroke is being drawn (it started or grew), 'strokeend' when the
 * pen lifts, 'clear', 'undo' and 'redo' when the drawing changes by those commands. Undone strokes
 * can be redone until a new stroke starts. The pad can also show a picture (an image being read)
 * instead of strokes, until the next stroke or clear.
 */
import config from '../config.json' with { type: 'json' };

export const PAD_UNITS = config.pad.units;
export const PEN_WIDTH = config.pad.pen_width; // pad units; about a fingertip on a phone-sized pad
const MARK_FONT = 22; // pad units: the size of a digit's reading written over its box

export class DrawingPad extends EventTarget {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    super();
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.strokes = [];
    this.undone = []; // strokes taken back by undo, last undone last: what redo brings back
    this.picture = null; // an image shown instead of strokes: {image, scale} (pad units per image pixel)
    this.marks = []; // [{box, label, selected, unsure}] in pad units, drawn over the strokes
    this.active = null; // pointerId of the stroke being drawn
    canvas.addEventListener('pointerdown', (e) => this.#down(e));
    canvas.addEventListener('pointermove', (e) => this.#move(e));
    for (const type of ['pointerup', 'pointercancel']) canvas.addEventListener(type, (e) => this.#up(e));
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get isEmpty() {
    return this.strokes.length === 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  /** The pad's width in pad units (its height is PAD_UNITS). */
  get widthUnits() {
    return (this.canvas.width / this.canvas.height) * PAD_UNITS;
  }

  /** Pointer position in pad units, right whatever the scroll, zoom or CSS size. */
  #toPad(event) {
    const box = this.canvas.getBoundingClientRect();
    const unit = box.height / PAD_UNITS; // the same scale across and down: a circle stays round
    return [(event.clientX - box.left) / unit, (event.clientY - box.top) / unit];
  }

  /** Show the digits read: faint boxes with their readings (pad units), or [] for none. */
  showMarks(marks) {
    this.marks = marks;
    this.redraw();
  }

  #down(event) {
    if (this.active !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    this.active = event.pointerId;
    this.canvas.setPointerCapture?.(event.pointerId);
    this.undone = []; // a new stroke starts a new history
    this.picture = null;
    this.strokes.push([this.#toPad(event)]);
    this.redraw();
    this.dispatchEvent(new Event('strokeupdate'));
  }

  #move(event) {
    if (event.pointerId !== this.active) return;
    const stroke = this.strokes[this.strokes.length - 1];
    const samples = event.getCoalescedEvents?.() ?? [];
    for (const sample of samples.length ? samples : [event]) stroke.push(this.#toPad(sample));
    this.redraw();
    this.dispatchEvent(new Event('strokeupdate'));
  }

  #up(event) {
    if (event.pointerId !== this.active) return;
    this.active = null;
    this.dispatchEvent(new Event('strokeend'));
  }

  clear() {
    this.strokes = [];
    this.undone = [];
    this.picture = null;
    this.marks = [];
    this.active = null;
    this.redraw();
    this.dispatchEvent(new Event('clear'));
  }

  undo() {
    if (!this.strokes.length) return;
    this.undone.push(this.strokes.pop());
    this.active = null;
    this.redraw();
    this.dispatchEvent(new Event('undo'));
  }

  /** Bring back the last stroke undone (nothing once a new stroke has started). */
  redo() {
    if (!this.undone.length || this.active !== null) return;
    this.strokes.push(this.undone.pop());
    this.redraw();
    this.dispatchEvent(new Event('redo'));
  }

  /**
   * Show a picture (a canvas or image bitmap) fitted into the pad instead of the strokes, which
   * are dropped; no event. @returns {number} pad units per picture pixel, to place marks with.
   */
  showPicture(image) {
    this.strokes = [];
    this.undone = [];
    this.marks = [];
    const scale = Math.min(PAD_UNITS / image.height, this.widthUnits / image.width);
    this.picture = { image, scale };
    this.redraw();
    return scale;
  }

  /**
   * The drawing as a picture to save: dark strokes on white, `PAD_UNITS` pixels tall, no marks.
   * @returns {HTMLCanvasElement}
   */
  snapshot() {
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(this.widthUnits);
    canvas.height = PAD_UNITS;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    this.#drawStrokes(context, '#000');
    return canvas;
  }

  /** Match the backing store to the displayed size × devicePixelRatio, so lines stay sharp. */
  resize() {
    const box = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(box.width * ratio));
    const height = Math.max(1, Math.round(box.height * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.redraw();
  }

  /** Draw the picture or the strokes, and the digits' marks over them. */
  redraw() {
    const { context, canvas } = this;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    const unit = canvas.height / PAD_UNITS;
    context.setTransform(unit, 0, 0, unit, 0, 0);
    if (this.picture) {
      const { image, scale } = this.picture;
      context.drawImage(image, 0, 0, image.width * scale, image.height * scale);
    }
    this.#drawStrokes(context, getComputedStyle(canvas).color);
    this.#drawMarks(context);
  }

  /** Every stroke as a smooth curve through the midpoints of its samples, in pad units. */
  #drawStrokes(context, colour) {
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.lineWidth = PEN_WIDTH;
    context.strokeStyle = context.fillStyle = colour;
    for (const stroke of this.strokes) {
      context.beginPath();
      context.moveTo(...stroke[0]);
      if (stroke.length === 1) context.lineTo(stroke[0][0] + 0.01, stroke[0][1]);
      for (let k = 1; k < stroke.length - 1; k++) {
        const [x, y] = stroke[k];
        const [nx, ny] = stroke[k + 1];
        context.quadraticCurveTo(x, y, (x + nx) / 2, (y + ny) / 2);
      }
      if (stroke.length > 1) context.lineTo(...stroke[stroke.length - 1]);
      context.stroke();
    }
  }

  #drawMarks(context) {
    const style = getComputedStyle(this.canvas);
    context.lineWidth = 2;
    context.font = `600 ${MARK_FONT}px system-ui, sans-serif`;
    context.textBaseline = 'bottom';
    for (const { box, label, selected, unsure } of this.marks) {
      const [x0, y0, x1, y1] = box;
      const margin = PEN_WIDTH / 2 + 2;
      context.globalAlpha = selected ? 0.7 : 0.35;
      context.strokeStyle = context.fillStyle = style.getPropertyValue(unsure ? '--error' : '--accent').trim();
      context.strokeRect(x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin);
      context.fillText(label, x0 - margin, Math.max(MARK_FONT, y0 - margin - 2));
    }
    context.globalAlpha = 1;
  }
}
