/** A small SVG line chart of one or more series over shared x (time) — no chart library needed. */
export interface Line {
  label: string;
  color: string;
  points: { x: number; y: number }[];
}

const NS = 'http://www.w3.org/2000/svg';

export function sparkline(lines: Line[], width = 560, height = 160): SVGSVGElement {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', '100%');
  svg.setAttribute('role', 'img');
  const all = lines.flatMap((l) => l.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (!all.length) return svg;
  const x0 = Math.min(...all.map((p) => p.x));
  const x1 = Math.max(...all.map((p) => p.x));
  const y0 = Math.min(...all.map((p) => p.y));
  const y1 = Math.max(...all.map((p) => p.y));
  const pad = 4;
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const sy = (y: number) => height - 18 - ((y - y0) / (y1 - y0 || 1)) * (height - 18 - pad);
  lines.forEach((l, i) => {
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', l.points.map((p, k) => `${k ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(''));
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', l.color);
    path.setAttribute('stroke-width', '1.5');
    svg.append(path);
    const t = document.createElementNS(NS, 'text');
    t.setAttribute('x', String(pad + i * 180));
    t.setAttribute('y', String(height - 4));
    t.setAttribute('font-size', '11');
    t.setAttribute('fill', l.color);
    t.textContent = l.label;
    svg.append(t);
  });
  return svg;
}
