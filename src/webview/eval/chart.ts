// Latency (x) × accuracy (y): one point per configuration, thresholds labelled, base-only and
// small-only marked with their own shapes, the 95% interval as a whisker and the Pareto front drawn.
// Inline SVG built with DOM calls; colours come from the theme through CSS classes.

import { chartPoints, paretoFront } from '../../shared/evalForm';
import type { EvalConfigurationRow } from '../../shared/protocol';
import { svg } from '../dom';
import { formatMs } from '../format';

const WIDTH = 640;
const HEIGHT = 340;
const MARGIN = { left: 56, right: 28, top: 36, bottom: 46 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** Round tick steps (1, 2, 5 × 10^k) covering [lo, hi] with about `count` ticks. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) {
    return [lo];
  }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function domain(values: readonly number[], pad: number, min: number, max: number): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const span = hi - lo || Math.max(Math.abs(hi) * 0.2, pad);
  lo = Math.max(min, lo - span * 0.15);
  hi = Math.min(max, hi + span * 0.15);
  return [lo, hi];
}

function pointLabel(row: EvalConfigurationRow, methods: number): string {
  if (row.mode !== 'specreason') {
    return row.mode === 'base' ? 'base only' : 'small only';
  }
  return `t=${row.threshold}${methods > 1 && row.scoreMethod === 'average' ? ' avg' : ''}`;
}

/** The marker of a point: circle for SpecReason, square for base-only, triangle for small-only. */
function marker(row: EvalConfigurationRow, x: number, y: number): SVGElement {
  if (row.mode === 'base') {
    return svg('rect', { class: 'point', x: x - 5, y: y - 5, width: 10, height: 10 });
  }
  if (row.mode === 'small') {
    return svg('polygon', { class: 'point', points: `${x},${y - 6.5} ${x + 6},${y + 4.5} ${x - 6},${y + 4.5}` });
  }
  return svg('circle', { class: 'point', cx: x, cy: y, r: 5 });
}

export class AccuracyLatencyChart {
  readonly element: SVGSVGElement;

  constructor() {
    this.element = svg('svg', {
      id: 'eval-chart',
      class: 'eval-chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': 'Accuracy against mean latency, one point per configuration',
    });
    this.update([]);
  }

  update(rows: readonly EvalConfigurationRow[]): void {
    const points = chartPoints(rows);
    const children: SVGElement[] = [svg('title', {}, 'Accuracy against mean latency per run')];
    if (points.length === 0) {
      children.push(
        svg(
          'text',
          { class: 'chart-empty', x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle' },
          'The chart fills as configurations finish runs.',
        ),
      );
      this.element.replaceChildren(...children);
      return;
    }
    const [x0, x1] = domain(
      points.map((p) => p.latencyMs),
      100,
      0,
      Number.POSITIVE_INFINITY,
    );
    const [y0, y1] = domain(
      points.flatMap((p) => [p.accuracy, p.row.accuracyLow ?? p.accuracy, p.row.accuracyHigh ?? p.accuracy]),
      0.1,
      0,
      1,
    );
    const sx = (v: number) => MARGIN.left + ((v - x0) / (x1 - x0)) * PLOT_W;
    const sy = (v: number) => MARGIN.top + PLOT_H - ((v - y0) / (y1 - y0)) * PLOT_H;

    // Grid and axes.
    const grid = svg('g', { class: 'grid' });
    const axes = svg('g', { class: 'axis' });
    for (const t of niceTicks(x0, x1, 6)) {
      const x = sx(t);
      grid.appendChild(svg('line', { x1: x, x2: x, y1: MARGIN.top, y2: MARGIN.top + PLOT_H }));
      axes.appendChild(
        svg('text', { x, y: MARGIN.top + PLOT_H + 16, 'text-anchor': 'middle', class: 'tick' }, formatMs(t)),
      );
    }
    for (const t of niceTicks(y0, y1, 5)) {
      const y = sy(t);
      grid.appendChild(svg('line', { x1: MARGIN.left, x2: MARGIN.left + PLOT_W, y1: y, y2: y }));
      axes.appendChild(
        svg(
          'text',
          { x: MARGIN.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' },
          `${(t * 100).toFixed(t * 100 < 10 && y1 - y0 < 0.1 ? 1 : 0)}%`,
        ),
      );
    }
    axes.append(
      svg('line', {
        class: 'axis-line',
        x1: MARGIN.left,
        x2: MARGIN.left + PLOT_W,
        y1: MARGIN.top + PLOT_H,
        y2: MARGIN.top + PLOT_H,
      }),
      svg('line', { class: 'axis-line', x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + PLOT_H }),
      svg(
        'text',
        { class: 'axis-title', x: MARGIN.left + PLOT_W / 2, y: HEIGHT - 8, 'text-anchor': 'middle' },
        'Mean latency per run →',
      ),
      svg(
        'text',
        {
          class: 'axis-title',
          x: 14,
          y: MARGIN.top + PLOT_H / 2,
          'text-anchor': 'middle',
          transform: `rotate(-90 14 ${MARGIN.top + PLOT_H / 2})`,
        },
        'Accuracy →',
      ),
    );
    children.push(grid, axes);

    // Pareto front: the best accuracy for its latency.
    const front = paretoFront(points);
    const frontKeys = new Set(front.map((p) => p.key));
    if (front.length > 1) {
      children.push(
        svg('polyline', {
          class: 'pareto',
          points: front.map((p) => `${sx(p.latencyMs).toFixed(1)},${sy(p.accuracy).toFixed(1)}`).join(' '),
        }),
      );
    }

    const methods = new Set(rows.filter((r) => r.mode === 'specreason').map((r) => r.scoreMethod)).size;
    const layer = svg('g', { class: 'points' });
    const placed: Array<{ x: number; y: number; right: boolean }> = [];
    for (const p of points) {
      const x = sx(p.latencyMs);
      const y = sy(p.accuracy);
      const { row } = p;
      const label = pointLabel(row, methods);
      const g = svg('g', {
        class: `config${frontKeys.has(p.key) ? ' on-front' : ''}`,
        'data-mode': row.mode,
        'data-config': p.key,
      });
      if (row.accuracyLow !== undefined && row.accuracyHigh !== undefined) {
        g.appendChild(
          svg('line', { class: 'whisker', x1: x, x2: x, y1: sy(row.accuracyLow), y2: sy(row.accuracyHigh) }),
        );
      }
      g.appendChild(marker(row, x, y));
      const right = x < MARGIN.left + PLOT_W - 70;
      // Labels of nearby points would overprint: move this one below its point, or further down.
      // Above the point, unless that is up in the legend's strip.
      let labelY = y - 7 < MARGIN.top + 4 ? y + 17 : y - 7;
      while (placed.some((l) => l.right === right && Math.abs(l.x - x) < 60 && Math.abs(l.y - labelY) < 12)) {
        labelY += 14;
      }
      placed.push({ x, y: labelY, right });
      g.appendChild(
        svg(
          'text',
          { class: 'point-label', x: right ? x + 9 : x - 9, y: labelY, 'text-anchor': right ? 'start' : 'end' },
          label,
        ),
      );
      g.appendChild(
        svg(
          'title',
          {},
          `${label}: accuracy ${(p.accuracy * 100).toFixed(1)}%, mean latency ${formatMs(p.latencyMs)}, ${row.runs} runs`,
        ),
      );
      layer.appendChild(g);
    }
    children.push(layer, this.legend());
    this.element.replaceChildren(...children);
  }

  private legend(): SVGElement {
    const items: Array<[string, SVGElement]> = [
      ['SpecReason', svg('circle', { class: 'point', cx: 0, cy: -4, r: 4.5 })],
      ['base only', svg('rect', { class: 'point', x: -4.5, y: -8.5, width: 9, height: 9 })],
      ['small only', svg('polygon', { class: 'point', points: '0,-10 5.5,0 -5.5,0' })],
      ['Pareto front', svg('line', { class: 'pareto', x1: -7, x2: 7, y1: -4, y2: -4 })],
    ];
    const legend = svg('g', { class: 'legend', transform: `translate(${MARGIN.left + 8} 16)` });
    let x = 0;
    const modes = ['specreason', 'base', 'small', 'pareto'];
    items.forEach(([text, mark], i) => {
      legend.appendChild(
        svg(
          'g',
          { transform: `translate(${x} 0)`, 'data-mode': modes[i]! },
          mark,
          svg('text', { class: 'legend-text', x: 10, y: 0 }, text),
        ),
      );
      x += 26 + text.length * 6.5;
    });
    return legend;
  }

  /** The chart as a standalone SVG file: theme colours resolved into attributes. */
  toSvgFile(): string {
    const clone = this.element.cloneNode(true) as SVGSVGElement;
    const originals = [this.element, ...this.element.querySelectorAll('*')];
    const copies = [clone, ...clone.querySelectorAll('*')];
    const properties = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'font-size', 'font-family', 'opacity'];
    originals.forEach((node, i) => {
      const copy = copies[i];
      if (!copy || node instanceof SVGTitleElement) {
        return;
      }
      const style = getComputedStyle(node);
      for (const property of properties) {
        const value = style.getPropertyValue(property);
        if (value && !(property === 'opacity' && value === '1')) {
          copy.setAttribute(property, value);
        }
      }
      copy.removeAttribute('class');
    });
    clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    clone.setAttribute('width', String(WIDTH));
    clone.setAttribute('height', String(HEIGHT));
    const background = getComputedStyle(document.body).backgroundColor;
    clone.insertBefore(
      svg('rect', { x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: background }),
      clone.firstChild?.nextSibling ?? null,
    );
    return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
  }
}
