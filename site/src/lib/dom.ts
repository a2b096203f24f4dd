/** Tiny DOM helpers: elements from data (text only, never HTML strings from the API), tables, badges. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

/** A table: header labels and rows of cells (strings or nodes). */
export function table(headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

const TONE: Record<string, string> = {
  keep: 'ok',
  done: 'ok',
  sent: 'ok',
  ok: 'ok',
  fresh: 'ok',
  paper: 'ok',
  watch: 'warn',
  running: 'warn',
  queued: 'warn',
  pending: 'warn',
  sending: 'warn',
  partial: 'warn',
  research: 'info',
  reject: 'bad',
  rejected: 'bad',
  failed: 'bad',
  dead: 'bad',
  stale: 'bad',
  error: 'bad',
};

export function badge(text: string | null | undefined, tone?: string): HTMLElement {
  const t = text ?? '—';
  return h('span', { class: `badge ${tone ?? TONE[t] ?? 'info'}`, 'data-badge': t }, t);
}

export function status(el: HTMLElement, text: string, kind: 'info' | 'error' = 'info'): void {
  el.textContent = text;
  el.className = kind === 'error' ? 'status error' : 'status muted';
}

export function link(href: string, text: string): HTMLAnchorElement {
  return h('a', { href }, text);
}
