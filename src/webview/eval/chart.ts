// Latency (x) × accuracy (y): one point per configuration, thresholds and policy parameters labelled,
// step policies, base-only and small-only marked with their own shapes, the 95% interval as a whisker and the Pareto front drawn.
// Inline SVG built with DOM calls; colours come from the theme through CSS classes.

import { chartPoints, configurationLabel, paretoFront } from '../../shared/evalForm';
import type { EvalConfigurationRow } from '../../shared/protocol';
import { setText, svg } from '../dom';
import { formatMs } from '../format';

const WIDTH = 640;
const HEIGHT = 340;
const MARGIN = { left: 56, right: 28, top: 36, bottom: 46 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** Round tick steps (1, 2, 5 × 10^k) covering [lo, hi] with about `count` ticks. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const step = tickStep(lo, hi, count);
  if (step === 0) {
    return [lo];
  }
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

/** The data's range with a margin, widened to whole tick steps: the axes move only when the data
 *  crosses a step, so a running evaluation redraws its points, not its axes, on most frames. */
function domain(values: readonly number[], pad: number, min: number, max: number, ticks: number): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const span = hi - lo || Math.max(Math.abs(hi) * 0.2, pad);
  lo = Math.max(min, lo - span * 0.15);
  hi = Math.min(max, hi + span * 0.15);
  const step = tickStep(lo, hi, ticks);
  return step > 0
    ? [Math.max(min, Math.floor(lo / step) * step), Math.min(max, Math.ceil(hi / step) * step)]
    : [lo, hi];
}

function tickStep(lo: number, hi: number, count: number): number {
  if (!(hi > lo)) {
    return 0;
  }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

function pointLabel(row: EvalConfigurationRow, methods: number, policies: boolean): string {
  if (row.mode !== 'specreason') {
    return row.mode === 'base' ? 'base only' : 'small only';
  }
  if (row.policy && row.policy !== 'specreason') {
    return configurationLabel(row, false); // "first-token H≥0.9", "lookahead k=3 t=7"
  }
  return `${policies ? 'SpecReason ' : ''}t=${row.threshold}${methods > 1 && row.scoreMethod === 'average' ? ' avg' : ''}`;
}

/** The marker of a point, centred on its group's origin: circle for SpecReason, diamond for the other step
 *  policies, square for base-only, triangle for small-only. */
function marker(row: EvalConfigurationRow): SVGElement {
  const mode = row.mode;
  if (mode === 'specreason' && row.policy && row.policy !== 'specreason') {
    return svg('polygon', { class: 'point', points: '0,-6.5 6.5,0 0,6.5 -6.5,0' });
  }
  if (mode === 'base') {
    return svg('rect', { class: 'point', x: -5, y: -5, width: 10, height: 10 });
  }
  if (mode === 'small') {
    return svg('polygon', { class: 'point', points: '0,-6.5 6,4.5 -6,4.5' });
  }
  return svg('circle', { class: 'point', cx: 0, cy: 0, r: 5 });
}

/** Sets an attribute only when its value changes (an unchanged one then costs no style or layout). */
function setAttr(node: Element, name: string, value: string | number): void {
  const text = typeof value === 'number' ? value.toFixed(1) : value;
  if (node.getAttribute(name) !== text) {
    node.setAttribute(name, text);
  }
}

/** Width of a label at the chart's 11 px font (an estimate: measuring would cost a layout per frame). */
const labelWidth = (text: string) => text.length * 6.4 + 2;
const LABEL_HEIGHT = 13;

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * Puts each point's label where it overprints no label placed before it and no other point: beside the point
 * (right, or left near the right edge), then above or below it, then further away; inside the plot.
 */
class LabelPlacer {
  private readonly _taken: Box[];

  constructor(points: ReadonlyArray<{ x: number; y: number }>) {
    this._taken = points.map((p) => ({ left: p.x - 6, right: p.x + 6, top: p.y - 7, bottom: p.y + 7 }));
  }

  /** Where the label of the point at (x, y) goes, relative to the point. */
  place(x: number, y: number, text: string): { dx: number; dy: number; anchor: 'start' | 'end' } {
    const w = labelWidth(text);
    const preferRight = x + 9 + w <= WIDTH - 4;
    const sides = preferRight ? ([1, -1] as const) : ([-1, 1] as const);
    const offsets = [-7, 17, -21, 31, -35, 45, -49, 59];
    let fallback: { box: Box; spot: { dx: number; dy: number; anchor: 'start' | 'end' } } | undefined;
    for (const dy of offsets) {
      for (const side of sides) {
        const left = side > 0 ? x + 9 : x - 9 - w;
        const baseline = y + dy;
        const box = { left, right: left + w, top: baseline - LABEL_HEIGHT + 3, bottom: baseline + 3 };
        if (box.top < MARGIN.top || box.bottom > MARGIN.top + PLOT_H + 12 || box.left < 0 || box.right > WIDTH) {
          continue;
        }
        const spot = { dx: side > 0 ? 9 : -9, dy, anchor: side > 0 ? ('start' as const) : ('end' as const) };
        fallback ??= { box, spot };
        if (!this._taken.some((t) => overlaps(t, box))) {
          this._taken.push(box);
          return spot;
        }
      }
    }
    // Crowded beyond every spot tried: the first one that fits the plot (the point's title still names it).
    const chosen = fallback ?? {
      box: { left: x, right: x, top: y, bottom: y },
      spot: { dx: 9, dy: -7, anchor: 'start' as const },
    };
    this._taken.push(chosen.box);
    return chosen.spot;
  }
}

interface PointView {
  g: SVGGElement;
  whisker: SVGLineElement;
  label: SVGTextElement;
  title: SVGTitleElement;
}

export class AccuracyLatencyChart {
  readonly element: SVGSVGElement;
  /** Everything but the title and the empty-chart note: hidden until a configuration has numbers. */
  private readonly _plot = svg('g', { class: 'plot' });
  private readonly _grid = svg('g', { class: 'grid' });
  private readonly _ticks = svg('g', { class: 'axis' });
  private readonly _front = svg('polyline', { class: 'pareto' });
  private readonly _points = svg('g', { class: 'points' });
  private readonly _empty = svg(
    'text',
    { class: 'chart-empty', x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle' },
    'The chart fills as configurations finish runs.',
  );
  private readonly _views = new Map<string, PointView>();
  private _axesKey = '';

  constructor() {
    this.element = svg('svg', {
      id: 'eval-chart',
      class: 'eval-chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': 'Accuracy against mean latency, one point per configuration',
    });
    const axes = svg(
      'g',
      { class: 'axis' },
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
    this._plot.append(this._grid, axes, this._ticks, this._front, this._points, this.legend());
    this.element.append(svg('title', {}, 'Accuracy against mean latency per run'), this._plot, this._empty);
    this.update([]);
  }

  /** Brings the chart up to date in place: points move, axes are redrawn only when their range changes. */
  update(rows: readonly EvalConfigurationRow[]): void {
    const points = chartPoints(rows);
    setAttr(this._plot, 'display', points.length === 0 ? 'none' : 'inline');
    setAttr(this._empty, 'display', points.length === 0 ? 'inline' : 'none');
    if (points.length === 0) {
      this._points.replaceChildren();
      this._views.clear();
      return;
    }
    const [x0, x1] = domain(
      points.map((p) => p.latencyMs),
      100,
      0,
      Number.POSITIVE_INFINITY,
      6,
    );
    const [y0, y1] = domain(
      points.flatMap((p) => [p.accuracy, p.row.accuracyLow ?? p.accuracy, p.row.accuracyHigh ?? p.accuracy]),
      0.1,
      0,
      1,
      5,
    );
    const sx = (v: number) => MARGIN.left + ((v - x0) / (x1 - x0 || 1)) * PLOT_W;
    const sy = (v: number) => MARGIN.top + PLOT_H - ((v - y0) / (y1 - y0 || 1)) * PLOT_H;
    const axesKey = [x0, x1, y0, y1].join(' ');
    if (axesKey !== this._axesKey) {
      this._axesKey = axesKey;
      this.drawAxes(x0, x1, y0, y1, sx, sy);
    }

    // Pareto front: the best accuracy for its latency.
    const front = paretoFront(points);
    const frontKeys = new Set(front.map((p) => p.key));
    setAttr(this._front, 'display', front.length > 1 ? 'inline' : 'none');
    setAttr(
      this._front,
      'points',
      front.map((p) => `${sx(p.latencyMs).toFixed(1)},${sy(p.accuracy).toFixed(1)}`).join(' '),
    );

    const methods = new Set(rows.filter((r) => r.mode === 'specreason').map((r) => r.scoreMethod)).size;
    const policies = rows.some((r) => r.policy && r.policy !== 'specreason');
    const labels = new LabelPlacer(points.map((p) => ({ x: sx(p.latencyMs), y: sy(p.accuracy) })));
    const order: SVGGElement[] = [];
    for (const p of points) {
      const x = sx(p.latencyMs);
      const y = sy(p.accuracy);
      const { row } = p;
      const label = pointLabel(row, methods, policies);
      const view = this._views.get(p.key) ?? this.newPoint(p.key, row);
      setAttr(view.g, 'class', `config${frontKeys.has(p.key) ? ' on-front' : ''}`);
      setAttr(view.g, 'transform', `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
      const interval = row.accuracyLow !== undefined && row.accuracyHigh !== undefined;
      setAttr(view.whisker, 'display', interval ? 'inline' : 'none');
      setAttr(view.whisker, 'y1', interval ? sy(row.accuracyLow!) - y : 0);
      setAttr(view.whisker, 'y2', interval ? sy(row.accuracyHigh!) - y : 0);
      const spot = labels.place(x, y, label);
      setAttr(view.label, 'x', spot.dx);
      setAttr(view.label, 'y', spot.dy);
      setAttr(view.label, 'text-anchor', spot.anchor);
      setText(view.label, label);
      setText(
        view.title,
        `${label}: accuracy ${(p.accuracy * 100).toFixed(1)}%, mean latency ${formatMs(p.latencyMs)}, ${row.runs} runs`,
      );
      order.push(view.g);
    }
    const keys = new Set(points.map((p) => p.key));
    for (const [key, view] of this._views) {
      if (!keys.has(key)) {
        view.g.remove();
        this._views.delete(key);
      }
    }
    const children = this._points.children;
    if (order.length !== children.length || order.some((g, i) => children[i] !== g)) {
      this._points.replaceChildren(...order);
    }
  }

  private newPoint(key: string, row: EvalConfigurationRow): PointView {
    const whisker = svg('line', { class: 'whisker', x1: 0, x2: 0 });
    const label = svg('text', { class: 'point-label' });
    const title = svg('title');
    const g = svg(
      'g',
      {
        'data-mode': row.mode,
        'data-policy': row.mode === 'specreason' ? (row.policy ?? 'specreason') : '',
        'data-config': key,
      },
      whisker,
      marker(row),
      label,
      title,
    );
    const view = { g, whisker, label, title };
    this._views.set(key, view);
    return view;
  }

  private drawAxes(
    x0: number,
    x1: number,
    y0: number,
    y1: number,
    sx: (v: number) => number,
    sy: (v: number) => number,
  ): void {
    const lines: SVGElement[] = [];
    const labels: SVGElement[] = [];
    for (const t of niceTicks(x0, x1, 6)) {
      const x = sx(t);
      lines.push(svg('line', { x1: x, x2: x, y1: MARGIN.top, y2: MARGIN.top + PLOT_H }));
      labels.push(svg('text', { x, y: MARGIN.top + PLOT_H + 16, 'text-anchor': 'middle', class: 'tick' }, formatMs(t)));
    }
    for (const t of niceTicks(y0, y1, 5)) {
      const y = sy(t);
      lines.push(svg('line', { x1: MARGIN.left, x2: MARGIN.left + PLOT_W, y1: y, y2: y }));
      labels.push(
        svg(
          'text',
          { x: MARGIN.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' },
          `${(t * 100).toFixed(t * 100 < 10 && y1 - y0 < 0.1 ? 1 : 0)}%`,
        ),
      );
    }
    this._grid.replaceChildren(...lines);
    this._ticks.replaceChildren(...labels);
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
