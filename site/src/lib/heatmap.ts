/** A parameter heatmap on a canvas: cells coloured by value (diverging around 0 when values straddle it), labelled axes, hover readout. */
export interface Heatmap {
  x: { param: string; values: (number | string | boolean)[] };
  y: { param: string; values: (number | string | boolean)[] };
  metric: string;
  cells: (number | null)[][];
  counts: number[][];
  min: number | null;
  max: number | null;
}

function color(v: number, min: number, max: number): string {
  if (min < 0 && max > 0) {
    const t = v >= 0 ? v / max : v / -min; // -1..1
    const a = Math.min(1, Math.abs(t));
    return v >= 0 ? `rgb(${Math.round(255 - 200 * a)},${Math.round(255 - 90 * a)},${Math.round(255 - 200 * a)})` : `rgb(${Math.round(255 - 35 * a)},${Math.round(255 - 200 * a)},${Math.round(255 - 200 * a)})`;
  }
  const t = max > min ? (v - min) / (max - min) : 0.5;
  // light yellow → dark blue
  const r = Math.round(255 - 225 * t);
  const g = Math.round(247 - 160 * t);
  const b = Math.round(200 - 20 * t + 30 * t);
  return `rgb(${r},${g},${b})`;
}

const label = (v: unknown): string => (typeof v === 'number' ? String(Math.round(v * 1e6) / 1e6) : String(v));

export function drawHeatmap(canvas: HTMLCanvasElement, hm: Heatmap, readout: HTMLElement, fmt: (v: number) => string): void {
  const cols = hm.x.values.length;
  const rows = hm.y.values.length;
  const left = 70;
  const bottom = 46;
  const top = 8;
  const cssW = Math.max(320, Math.min(900, canvas.parentElement?.clientWidth ?? 640));
  const cell = Math.max(14, Math.min(64, Math.floor((cssW - left - 10) / Math.max(1, cols))));
  const w = left + cols * cell + 10;
  const hgt = top + rows * Math.min(cell, 40) + bottom;
  const ch = Math.min(cell, 40);
  const dpr = window.devicePixelRatio || 1;
  canvas.width = w * dpr;
  canvas.height = hgt * dpr;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${hgt}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  ctx.font = '11px system-ui, sans-serif';
  const min = hm.min ?? 0;
  const max = hm.max ?? 0;
  for (let i = 0; i < rows; i++) {
    // y grows upwards: row 0 at the bottom
    const y = top + (rows - 1 - i) * ch;
    for (let j = 0; j < cols; j++) {
      const v = hm.cells[i]?.[j];
      ctx.fillStyle = v === null || v === undefined ? '#f3f4f6' : color(v, min, max);
      ctx.fillRect(left + j * cell, y, cell - 1, ch - 1);
      if (v !== null && v !== undefined && cell >= 44 && ch >= 18) {
        ctx.fillStyle = '#111827';
        ctx.textAlign = 'center';
        ctx.fillText(fmt(v), left + j * cell + cell / 2, y + ch / 2 + 4, cell - 4);
      }
    }
    ctx.fillStyle = '#374151';
    ctx.textAlign = 'right';
    ctx.fillText(label(hm.y.values[i]), left - 6, y + ch / 2 + 4);
  }
  ctx.textAlign = 'center';
  const every = Math.ceil(cols / Math.max(1, Math.floor((cols * cell) / 40)));
  for (let j = 0; j < cols; j += every) ctx.fillText(label(hm.x.values[j]), left + j * cell + cell / 2, top + rows * ch + 14);
  ctx.fillText(hm.x.param, left + (cols * cell) / 2, top + rows * ch + 34);
  ctx.save();
  ctx.translate(12, top + (rows * ch) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(hm.y.param, 0, 0);
  ctx.restore();
  canvas.onmousemove = (e) => {
    const r = canvas.getBoundingClientRect();
    const j = Math.floor((e.clientX - r.left - left) / cell);
    const i = rows - 1 - Math.floor((e.clientY - r.top - top) / ch);
    if (j < 0 || j >= cols || i < 0 || i >= rows) return;
    const v = hm.cells[i]?.[j];
    readout.textContent = `${hm.x.param} = ${label(hm.x.values[j])}, ${hm.y.param} = ${label(hm.y.values[i])}: ${hm.metric} ${v === null || v === undefined ? 'n/a' : fmt(v)} (${hm.counts[i]?.[j] ?? 0} combos)`;
  };
}
