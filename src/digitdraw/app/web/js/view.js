/**
 * Everything the page shows about a result: the big digit, the bar chart, what the model sees,
 * the model selector, the compare table and the status line. Takes data, touches only the DOM.
 */

const $ = (id) => document.getElementById(id);
const percent = (p) => `${(p * 100).toFixed(p >= 0.995 || p < 0.01 ? 0 : 1)}%`;

export class View {
  constructor() {
    this.result = $('prediction');
    this.digit = $('digit');
    this.detail = $('detail');
    this.announce = $('announce');
    this.preview = $('preview').getContext('2d');
    this.select = $('model');
    this.compareBody = $('compare-rows');
    this.status = $('status');
    this.sequence = 0;
    this.chart = this.#makeChart($('chart'));
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
        const accuracy = m.test_accuracy == null ? '' : ` — ${(m.test_accuracy * 100).toFixed(2)}% MNIST`;
        return new Option(`${m.name}${accuracy}, ${Math.round(m.size_bytes / 1024)} KB`, m.name, false, m.name === selected);
      }),
    );
    this.select.addEventListener('change', () => onChange(this.select.value));
  }

  setReady(ready, message) {
    document.body.dataset.ready = String(ready);
    this.status.textContent = message;
  }

  /**
   * Show one result. `final` results (a finished stroke, Predict) bump data-seq; live ones don't.
   * @param {{digit: number, confidence: number, runnerUp: number, unsure: boolean}} verdict
   */
  showResult(verdict, probabilities, input, final) {
    const { digit, confidence, runnerUp, unsure } = verdict;
    this.result.dataset.digit = String(digit);
    this.result.dataset.confidence = confidence.toFixed(4);
    this.result.dataset.unsure = String(unsure);
    this.digit.textContent = unsure ? `${digit}?` : String(digit);
    this.detail.textContent = unsure
      ? `Unsure: ${digit} or ${runnerUp} (${percent(confidence)} / ${percent(probabilities[runnerUp])})`
      : `${percent(confidence)} sure`;
    this.#drawChart(probabilities, digit);
    this.#drawPreview(input);
    if (final) {
      this.sequence += 1;
      this.result.dataset.seq = String(this.sequence);
      this.announce.textContent = unsure ? `Unsure: ${digit} or ${runnerUp}` : `Looks like ${digit}, ${percent(confidence)}`;
    }
  }

  /** The empty pad: a hint instead of a prediction. */
  showEmpty(final) {
    this.result.dataset.digit = '';
    this.result.dataset.confidence = '0';
    this.result.dataset.unsure = 'false';
    this.digit.textContent = '–';
    this.detail.textContent = 'Draw a digit, 0 to 9, in the box.';
    this.#drawChart(new Array(10).fill(0), -1);
    this.preview.clearRect(0, 0, 28, 28);
    if (final) {
      this.sequence += 1;
      this.result.dataset.seq = String(this.sequence);
      this.announce.textContent = 'The pad is empty.';
    }
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
  }

  #drawPreview(input) {
    const pixels = new ImageData(28, 28);
    for (let k = 0; k < 784; k++) {
      const shade = Math.round(255 * (1 - input[k]));
      pixels.data.set([shade, shade, shade, 255], k * 4);
    }
    this.preview.putImageData(pixels, 0, 0);
  }

  /** Rows of the compare view: [{name, verdict, error?}] or null to hide it. */
  showComparison(rows) {
    $('compare').hidden = rows === null;
    if (!rows) return;
    this.compareBody.replaceChildren(
      ...rows.map(({ name, verdict, error }) => {
        const row = document.createElement('tr');
        row.dataset.model = name;
        row.dataset.digit = verdict ? String(verdict.digit) : '';
        const cells = [name, verdict ? (verdict.unsure ? `${verdict.digit}?` : String(verdict.digit)) : '–',
          verdict ? percent(verdict.confidence) : error ? `failed: ${error}` : ''];
        row.replaceChildren(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text })));
        return row;
      }),
    );
  }
}
