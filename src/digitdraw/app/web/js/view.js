/**
 * Everything the page shows about a result: the number read (one button per digit), the bar
 * chart (and the same probabilities as a table) and the 28×28 input of the selected digit, the model selector, the compare table, the
 * status line and the teaching controls. Takes data, touches only the DOM.
 */

const $ = (id) => document.getElementById(id);
/** Why a drawing was not read as a digit, by rejection.js's reason (as rejection.py's MESSAGES). */
const REJECTED = {
  tap: 'That does not look like a digit: it is too small (a tap or a dot).',
  dash: 'That does not look like a digit: it is a dash, a flat line.',
  scribble: 'That does not look like a digit: it looks like a scribble or a filled shape.',
  'not-a-digit': 'That does not look like a digit.',
};
const RUN_TOGETHER = "Unsure it is a number: the digits' strokes run together, as a letter's do";
const MAYBE_NOT_A_DIGIT = 'Unsure it is a digit at all: it looks a little like a mark or a letter';
const percentValue = (p) => (p * 100).toFixed(p >= 0.995 || p < 0.01 ? 0 : 1);
const percent = (p) => `${percentValue(p)}%`;

/** Why a digit that looked like a 7 reads otherwise (numbers.js `crossedSevens`), so the writer can say if it is wrong. */
function crossedSevensNote(digits) {
  const doubted = digits.map((d, i) => [d, i]).filter(([d]) => d.doubtedSeven);
  if (!doubted.length) return '';
  const which = doubted.map(([d, i]) => (digits.length === 1 ? `as ${d.digit}` : `digit ${i + 1} as ${d.digit}`)).join(', ');
  return ` · read ${which}, not 7: you cross your 7s`;
}

export class View {
  constructor() {
    this.result = $('prediction');
    this.digits = $('digits');
    this.detail = $('detail');
    this.announce = $('announce');
    this.preview = $('preview').getContext('2d');
    this.select = $('model');
    this.compareBody = $('compare-rows');
    this.status = $('status');
    this.sequence = 0;
    this.chart = this.#makeChart($('chart'));
    this.teachButtons = [...Array(10).keys()].map((d) => document.querySelector(`[data-testid="teach-${d}"]`));
    this.teachMessage = $('teach-message');
    this.teachPrompt = $('teach-prompt');
    this.teachPromptText = this.teachPrompt.textContent;
    this.redo = document.querySelector('[data-testid="redo"]');
    this.probabilityCells = this.#makeProbabilityTable($('probabilities'));
  }

  /** The table's probability cells, one per digit (the row of digits is written once here). */
  #makeProbabilityTable(table) {
    const row = (header, cell) => {
      const tr = document.createElement('tr');
      tr.append(Object.assign(document.createElement('th'), { scope: 'row', textContent: header }));
      const cells = [...Array(10).keys()].map(cell);
      tr.append(...cells);
      return [tr, cells];
    };
    const [digitsRow] = row('Digit', (d) => Object.assign(document.createElement('th'), { scope: 'col', textContent: String(d) }));
    const [chanceRow, cells] = row('Chance, %', () => Object.assign(document.createElement('td'), { textContent: '–' }));
    table.tBodies[0].replaceChildren(digitsRow, chanceRow);
    return cells;
  }

  /** Redo is offered only when there is an undone stroke to bring back. */
  setRedo(enabled) {
    this.redo.disabled = !enabled;
  }

  /**
   * Wire the teaching controls: `onTeach(digit)`, `onForget()`, `onExport()`, `onImport(text)`,
   * `onCalibrate()`.
   */
  bindTeaching({ onTeach, onForget, onExport, onImport, onCalibrate }) {
    this.teachButtons.forEach((button, digit) => button.addEventListener('click', () => onTeach(digit)));
    const testid = (id) => document.querySelector(`[data-testid="${id}"]`);
    testid('forget').addEventListener('click', onForget);
    testid('export-examples').addEventListener('click', onExport);
    testid('calibrate').addEventListener('click', onCalibrate);
    const file = testid('import-examples');
    file.addEventListener('change', async () => {
      const [chosen] = file.files;
      file.value = ''; // the same file may be chosen again
      if (chosen) onImport(await chosen.text());
    });
  }

  /** Teaching needs a drawing to teach. */
  setTeachable(teachable) {
    for (const button of this.teachButtons) button.disabled = !teachable;
  }

  showExampleCount(count) {
    document.body.dataset.examples = String(count);
    $('examples-count').textContent =
      count === 0 ? 'No examples yet' : `${count} example${count === 1 ? '' : 's'} of your writing taught`;
  }

  /** A line under the teaching controls; `undo` adds an Undo button that calls it once. */
  showTeachMessage(text, { error = false, undo = null } = {}) {
    this.teachMessage.classList.toggle('error', error);
    this.teachMessage.replaceChildren(text);
    if (undo) {
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Undo' });
      button.dataset.testid = 'undo-forget';
      button.addEventListener('click', () => {
        button.remove();
        undo();
      });
      this.teachMessage.append(' ', button);
    }
  }

  /** The guided "write each digit once": ask for `digit` (null ends it). */
  promptDigit(digit) {
    this.teachButtons.forEach((button, d) => button.classList.toggle('prompted', d === digit));
    this.teachPrompt.textContent =
      digit === null ? this.teachPromptText : `Write a ${digit} on the pad, then press ${digit} below (${digit + 1} of 10).`;
  }

  /** Save `data` as a JSON file called `name`. */
  download(name, data) {
    this.saveFile(name, new Blob([JSON.stringify(data)], { type: 'application/json' }));
  }

  /** Save `blob` as a file called `name` (the browser's download). */
  saveFile(name, blob) {
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement('a'), { href: url, download: name });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  #makeChart(canvas) {
    const style = getComputedStyle(document.body);
    return new Chart(canvas, {
      type: 'bar',
      data: {
        labels: [...'0123456789'],
        datasets: [{ label: 'probability', data: new Array(10).fill(0), backgroundColor: new Array(10).fill('') }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => percent(item.raw) } } },
        scales: {
          y: { min: 0, max: 1, ticks: { color: style.color }, grid: { color: style.getPropertyValue('--grid') } },
          x: { ticks: { color: style.color }, grid: { display: false } },
        },
      },
    });
  }

  /** List the models the server offers; `onChange(name)` when the person picks another. */
  showModels(models, selected, onChange) {
    this.select.replaceChildren(
      ...models.map((m) => {
        // Short enough for a phone's select, which clips rather than wraps; the label says what the figures are.
        const accuracy = m.test_accuracy == null ? '' : ` · ${(m.test_accuracy * 100).toFixed(2)}%`;
        return new Option(`${m.name}${accuracy} · ${Math.round(m.size_bytes / 1024)} KB`, m.name, false, m.name === selected);
      }),
    );
    this.select.addEventListener('change', () => onChange(this.select.value));
  }

  /** Show `name` as the chosen model (when the page goes back to it). */
  selectModel(name) {
    this.select.value = name;
  }

  setReady(ready, message) {
    document.body.dataset.ready = String(ready);
    this.status.textContent = message;
    this.status.classList.remove('error');
  }

  /**
   * Show a number read from the drawing. `final` results (a finished stroke, Predict, clear,
   * undo) bump data-seq; live ones don't. `onSelect(index)` when the person picks a digit.
   * @param {{digits: object[], text: string, alternative: (string|null)}} reading from numbers.js
   * @param {number} selected index of the digit whose probabilities and input are shown
   * @param {Float32Array} input that digit's 28×28 input
   */
  showReading(reading, selected, input, final, onSelect) {
    const { digits, text } = reading;
    const chosen = digits[selected];
    const doubtful = digits.map((d, i) => [d, i]).filter(([d]) => d.unsure);
    this.result.dataset.number = text;
    this.result.dataset.digit = digits.length === 1 ? String(chosen.digit) : '';
    this.result.dataset.confidence = chosen.confidence.toFixed(4);
    this.result.dataset.unsure = String(doubtful.length > 0 || Boolean(reading.runTogether || reading.maybeNotADigit));
    delete this.result.dataset.rejected;
    this.#showDigits(digits, selected, onSelect);
    this.detail.textContent = this.#describe(reading, doubtful) + crossedSevensNote(digits);
    this.#drawChart(chosen.probabilities, chosen.digit);
    this.#drawPreview(input);
    this.#finish(final, this.#announcement(reading, doubtful));
  }

  /** The number as one button per digit: picking one shows its probabilities and input. */
  #showDigits(digits, selected, onSelect) {
    this.digits.replaceChildren(
      ...digits.map((d, i) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'digit';
        button.textContent = d.unsure ? `${d.digit}?` : String(d.digit);
        button.dataset.testid = `digit-${i}`;
        button.dataset.unsure = String(d.unsure);
        button.setAttribute('aria-pressed', String(i === selected));
        button.setAttribute('aria-label', `digit ${i + 1}: ${d.digit}, ${percent(d.confidence)}`);
        button.addEventListener('click', () => onSelect(i));
        return button;
      }),
    );
  }

  #describe({ digits, alternative, runTogether, maybeNotADigit }, doubtful) {
    const otherwise = alternative ? ` · or perhaps ${alternative}` : '';
    if (runTogether) return `${RUN_TOGETHER}${otherwise}`;
    if (maybeNotADigit && !doubtful.length) return `${MAYBE_NOT_A_DIGIT}${otherwise}`;
    const notDigit = maybeNotADigit ? ` · ${MAYBE_NOT_A_DIGIT.toLowerCase()}` : '';
    if (digits.length === 1) {
      const [d] = digits;
      const sure = d.unsure
        ? `Unsure: ${d.digit} or ${d.runnerUp} (${percent(d.confidence)} / ${percent(d.probabilities[d.runnerUp])})`
        : `${percent(d.confidence)} sure`;
      return sure + notDigit + otherwise;
    }
    if (!doubtful.length) return `${digits.length} digits, all sure${otherwise}`;
    const which = doubtful.map(([d, i]) => `digit ${i + 1}: ${d.digit} or ${d.runnerUp}`).join('; ');
    return `Unsure about ${which}${notDigit}${otherwise}`;
  }

  #announcement({ digits, text, runTogether, maybeNotADigit }, doubtful) {
    if (runTogether) return `Reads ${text}. ${RUN_TOGETHER}`;
    if (maybeNotADigit) return `Reads ${text}. ${MAYBE_NOT_A_DIGIT}`;
    if (digits.length === 1) {
      const [d] = digits;
      return d.unsure ? `Unsure: ${d.digit} or ${d.runnerUp}` : `Looks like ${d.digit}, ${percent(d.confidence)}`;
    }
    return doubtful.length ? `Reads ${text}, unsure about ${doubtful.length} digit(s)` : `Reads ${text}`;
  }

  /**
   * A drawing turned down (rejection.js): no digits, the reason, and what the model would have
   * said in the chart (the 28×28 input shows what it saw).
   * @param {string} reason 'tap', 'scribble' or 'not-a-digit'
   */
  showRejected(reason, probabilities, input, final) {
    this.#showNoDigits('✕', reason);
    this.detail.textContent = REJECTED[reason];
    this.#drawChart(probabilities, -1);
    this.#drawPreview(input);
    this.#finish(final, REJECTED[reason]);
  }

  /** The test hooks and the big glyph of a result with no digits; `rejected`: rejection.js's reason or null. */
  #showNoDigits(glyph, rejected) {
    Object.assign(this.result.dataset, { number: '', digit: '', confidence: '0', unsure: 'false' });
    if (rejected) this.result.dataset.rejected = rejected;
    else delete this.result.dataset.rejected;
    this.digits.replaceChildren(Object.assign(document.createElement('span'), { className: 'digit', textContent: glyph }));
  }

  /** Bump data-seq and announce, for final results. */
  #finish(final, announcement) {
    if (!final) return;
    this.sequence += 1;
    this.result.dataset.seq = String(this.sequence);
    this.announce.textContent = announcement;
  }

  /** The empty pad: a hint (or `message`) instead of a prediction. */
  showEmpty(final, message = null) {
    this.#showNoDigits('–', null);
    this.detail.textContent = message ?? 'Draw a digit, 0 to 9, or a whole number, in the box.';
    this.#drawChart(new Array(10).fill(0), -1);
    this.preview.clearRect(0, 0, 28, 28);
    this.#finish(final, message ?? 'The pad is empty.');
  }

  showError(message) {
    this.status.textContent = message;
    this.status.classList.add('error');
  }

  #drawChart(probabilities, top) {
    const style = getComputedStyle(document.body);
    const dataset = this.chart.data.datasets[0];
    dataset.data = Array.from(probabilities);
    dataset.backgroundColor = dataset.data.map((_, d) =>
      style.getPropertyValue(d === top ? '--accent' : '--bar').trim(),
    );
    this.chart.update('none');
    const empty = dataset.data.every((p) => p === 0);
    this.probabilityCells.forEach((cell, d) => {
      cell.textContent = empty ? '–' : percentValue(dataset.data[d]); // the row header says %: narrow cells
      cell.classList.toggle('top', d === top);
    });
  }

  #drawPreview(input) {
    const pixels = new ImageData(28, 28);
    for (let k = 0; k < 784; k++) {
      const shade = Math.round(255 * (1 - input[k]));
      pixels.data.set([shade, shade, shade, 255], k * 4);
    }
    this.preview.putImageData(pixels, 0, 0);
  }

  /** Rows of the compare view: [{name, text, confidence, unsure, error?}] or null to hide it. */
  showComparison(rows) {
    $('compare').hidden = rows === null;
    if (!rows) return;
    this.compareBody.replaceChildren(
      ...rows.map(({ name, text, confidence, unsure, error }) => {
        const row = document.createElement('tr');
        row.dataset.model = name;
        row.dataset.digit = text ?? '';
        const read = text ? `${text}${unsure ? '?' : ''}` : '–';
        const cells = [name, read, error ? `failed: ${error}` : text ? percent(confidence) : ''];
        row.replaceChildren(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text })));
        return row;
      }),
    );
  }
}
