/**
 * The run page's analysis panels in the browser: data from shared/lab/run-panels (the same code the offline report
 * uses), time series drawn with lightweight-charts (underwater, exposure, rolling Sharpe), histograms and the
 * returns heatmap as the small SVG/HTML of shared/lab/svg (no chart type fits a numeric-axis histogram), and the
 * trades table paged, sortable and filterable.
 */
import type { IChartApi } from 'lightweight-charts';
import { exitKind, queryTrades, runPanels, tradeReturn, type PanelTrade, type RunPanels, type TradeQuery, type TradeSortKey } from '../../../shared/lab/run-panels';
import { renderPanelsHtml } from '../../../shared/lab/report';
import { byId, h } from './dom';
import { duration, pct, price, time } from './format';

let charts: IChartApi[] = [];

/** Markup we generated ourselves (numbers and escaped text only) into a container. */
function setMarkup(id: string, html: string): void {
  const el = byId(id);
  el.innerHTML = html;
}

export async function drawPanels(trades: PanelTrade[], model: string, window: { from: number; to: number }): Promise<RunPanels> {
  const p = runPanels(trades, model, window);
  const html = renderPanelsHtml(p);
  setMarkup('returns-heatmap-wrap', html.heatmap!);
  setMarkup('drawdowns', html.drawdowns!);
  setMarkup('pnl-histogram', html.pnl!);
  setMarkup('duration-histogram', html.durations!);
  setMarkup('entry-tags', html.entryTags!);
  setMarkup('exit-kinds', html.exitKinds!);
  for (const c of charts) c.remove();
  charts = [];
  const lib = await import('./charts');
  const uw = byId('underwater-chart');
  uw.replaceChildren();
  charts.push(lib.seriesChart(uw, 'area', p.underwater.map((u) => ({ time: u.time, value: u.underwater * 100 })), { color: '#dc2626', title: 'underwater %', invert: true }));
  const ex = byId('exposure-chart');
  ex.replaceChildren();
  charts.push(lib.seriesChart(ex, 'histogram', p.exposure.points.map((e) => ({ time: e.time, value: e.exposure * 100 })), { color: '#0891b2', title: 'in market %' }));
  byId('exposure-note').textContent = `per ${duration(p.exposure.bucketMs)}, overall ${pct(p.exposure.overall, 1)}`;
  const sh = byId('sharpe-chart');
  sh.replaceChildren();
  if (p.rollingSharpe.ok) {
    charts.push(lib.seriesChart(sh, 'line', p.rollingSharpe.value.map((s) => ({ time: s.time, value: s.sharpe })), { color: '#059669', title: `Sharpe ${p.rollingWindowDays}d` }));
    byId('sharpe-note').textContent = `${p.rollingWindowDays}-day window, daily net returns, annualised × √365`;
  } else {
    sh.replaceChildren(h('p', { class: 'muted' }, p.rollingSharpe.message));
    byId('sharpe-note').textContent = '';
  }
  byId('panels').setAttribute('data-model', model);
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// Trades table

const COLUMNS: { label: string; sort?: TradeSortKey }[] = [
  { label: '#', sort: 'seq' },
  { label: 'Side' },
  { label: 'Entry', sort: 'entryTime' },
  { label: 'Entry price' },
  { label: 'Exit', sort: 'exitTime' },
  { label: 'Exit price' },
  { label: 'Duration', sort: 'duration' },
  { label: 'Gross', sort: 'gross' },
  { label: 'Net', sort: 'net' },
  { label: 'Entry reason' },
  { label: 'Exit kind' },
];

export class TradesTable {
  private q: TradeQuery;
  constructor(
    private trades: PanelTrade[],
    model: string,
    /** A portfolio run's symbol of trade `seq` (adds a Symbol column); absent for a single series. */
    private symbolOf?: (seq: number) => string | undefined,
  ) {
    this.q = { model, sort: 'seq', dir: 'asc', page: 0, pageSize: 25 };
    const form = byId<HTMLFormElement>('trade-filters');
    form.addEventListener('change', () => this.fromForm());
    form.addEventListener('submit', (e) => e.preventDefault());
    byId('trades-prev').addEventListener('click', () => this.go(-1));
    byId('trades-next').addEventListener('click', () => this.go(1));
    this.options();
  }

  setTrades(trades: PanelTrade[]): void {
    this.trades = trades;
    this.options();
    this.render();
  }

  setModel(model: string): void {
    this.q.model = model;
    this.render();
  }

  /** Exit kinds and sides present in the run, as filter options. */
  private options(): void {
    const fill = (name: string, values: string[]): void => {
      const sel = byId<HTMLFormElement>('trade-filters').elements.namedItem(name) as HTMLSelectElement;
      const cur = sel.value;
      sel.replaceChildren(h('option', { value: '' }, 'any'), ...values.map((v) => h('option', { value: v }, v)));
      sel.value = values.includes(cur) ? cur : '';
    };
    fill('side', [...new Set(this.trades.map((t) => t.side))].sort());
    fill('exitKind', [...new Set(this.trades.map(exitKind))].sort());
  }

  private fromForm(): void {
    const f = new FormData(byId<HTMLFormElement>('trade-filters'));
    const get = (k: string): string => String(f.get(k) ?? '');
    this.q.side = get('side') || undefined;
    this.q.exitKind = get('exitKind') || undefined;
    this.q.outcome = (get('outcome') || undefined) as TradeQuery['outcome'];
    this.q.pageSize = Number(get('pageSize')) || 25;
    this.q.page = 0;
    this.render();
  }

  private go(d: number): void {
    this.q.page = (this.q.page ?? 0) + d;
    this.render();
  }

  private sortBy(key: TradeSortKey): void {
    this.q.dir = this.q.sort === key && this.q.dir === 'asc' ? 'desc' : 'asc';
    this.q.sort = key;
    this.q.page = 0;
    this.render();
  }

  render(): void {
    const r = queryTrades(this.trades, this.q);
    this.q.page = r.page;
    const head = h(
      'tr',
      {},
      ...COLUMNS.map((c) => {
        if (!c.sort) return h('th', { scope: 'col' }, c.label === 'Net' ? `Net ${this.q.model}` : c.label);
        const active = this.q.sort === c.sort;
        const th = h('th', { scope: 'col', 'aria-sort': active ? (this.q.dir === 'desc' ? 'descending' : 'ascending') : 'none' });
        th.append(
          h('button', { type: 'button', class: 'sort', 'data-sort': c.sort, onclick: () => this.sortBy(c.sort!) }, c.label === 'Net' ? `Net ${this.q.model}` : c.label, active ? (this.q.dir === 'desc' ? ' ▼' : ' ▲') : ''),
        );
        return th;
      }),
    );
    const sym = this.symbolOf;
    if (sym) head.insertBefore(h('th', { scope: 'col' }, 'Symbol'), head.children[1] ?? null);
    const rows = r.items.map((t) => {
      const net = tradeReturn(t, this.q.model);
      const cells = [String(t.seq), t.side, time(t.entryTime), price(t.entryPrice), time(t.exitTime), price(t.exitPrice), duration(t.exitTime - t.entryTime), pct(t.grossReturn), pct(net), t.entryReason, exitKind(t) === 'signal' ? `signal: ${t.exitReason}` : exitKind(t)].map((c, i) =>
        h('td', { class: i === 7 || i === 8 ? `num ${i === 8 ? (net > 0 ? 'pos' : 'neg') : ''}` : '' }, c),
      );
      if (sym) cells.splice(1, 0, h('td', {}, sym(t.seq) ?? '—'));
      return h('tr', { 'data-seq': t.seq, 'data-net': net }, ...cells);
    });
    byId('trades').replaceChildren(
      r.total ? h('table', { id: 'trades-table' }, h('thead', {}, head), h('tbody', {}, ...rows)) : h('p', { class: 'muted', id: 'trades-empty' }, this.trades.length ? 'No trades match the filter.' : 'No trades.'),
    );
    byId('trades-page').textContent = `page ${r.page + 1} of ${r.pages} · ${r.total} of ${this.trades.length} trades`;
    byId<HTMLButtonElement>('trades-prev').disabled = r.page === 0;
    byId<HTMLButtonElement>('trades-next').disabled = r.page >= r.pages - 1;
  }
}
