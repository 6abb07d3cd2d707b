/**
 * Chart.js with only what the page's probability chart uses (a bar chart, two scales, tooltips),
 * as the global `Chart`: about a third of chart.umd.min.js.
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
globalThis.Chart = Chart;
