/**
 * The Lab's side of Cloudflare Access. On a real deploy there is nothing to do: Access's `CF_Authorization` cookie
 * is checked at the edge, which hands the Worker the `Cf-Access-Jwt-Assertion` header itself, so the Lab sends no
 * token of its own (none is ever stored there). In the local Access mode (`npm run dev -- --access`) nobody sits in
 * front of the Worker, so the Lab carries the token: the dev runner prints a Lab link with `#access_token=…` (a
 * fragment, never sent to a server), which is stored in this browser's localStorage until it expires and sent as
 * `Cf-Access-Jwt-Assertion` on every `/api` call; a 401 shows a prompt to paste one (`npm run research --
 * access-token`). An expired or refused token is forgotten.
 */
const KEY = 'nexara.accessToken';
const HASH_PARAM = 'access_token';

/** Seconds since epoch of the token's `exp`, or null when it is not a readable JWT. */
function expiry(token: string): number | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp : null;
  } catch {
    return null;
  }
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Store a token (trimmed); false when it is not a JWT with an expiry in the future. */
export function storeAccessToken(token: string): boolean {
  const t = token.trim();
  const exp = expiry(t);
  if (exp === null || exp * 1000 <= Date.now()) return false;
  storage()?.setItem(KEY, t);
  return true;
}

export function forgetAccessToken(): void {
  storage()?.removeItem(KEY);
}

/** A token handed over in the URL fragment (`#access_token=…`) is stored and removed from the address bar; true if one was stored. */
export function captureAccessToken(): boolean {
  if (typeof location === 'undefined' || !location.hash.includes(`${HASH_PARAM}=`)) return false;
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get(HASH_PARAM);
  const stored = token ? storeAccessToken(token) : false;
  params.delete(HASH_PARAM);
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  return stored;
}

/** Capture a token from the URL now, and from a link opened on a page already showing (a fragment change): reload with it. */
export function watchAccessToken(): void {
  captureAccessToken();
  if (typeof window !== 'undefined') window.addEventListener('hashchange', () => captureAccessToken() && location.reload());
}

/** The header to send: the stored, unexpired token, if any (none on a real deploy). */
export function accessHeaders(): Record<string, string> {
  const t = storage()?.getItem(KEY);
  if (!t) return {};
  const exp = expiry(t);
  if (exp === null || exp * 1000 <= Date.now()) {
    forgetAccessToken();
    return {};
  }
  return { 'Cf-Access-Jwt-Assertion': t };
}

/** After a 401: forget a refused token and ask for one (once per page). */
export function onUnauthorized(sentToken: boolean): void {
  if (sentToken) forgetAccessToken();
  if (typeof document === 'undefined' || document.getElementById('access-prompt')) return;
  const box = document.createElement('form');
  box.id = 'access-prompt';
  box.className = 'card inline';
  box.setAttribute('role', 'alert');
  box.innerHTML = `<p style="margin:0;flex-basis:100%"><strong>Cloudflare Access token required.</strong>
    ${sentToken ? 'The stored token was refused (expired or for another key). ' : ''}Open the link <code>npm run dev -- --access</code>
    printed, or paste a token from <code>npm run research -- access-token --raw</code>.</p>
    <label>Access token <input name="token" autocomplete="off" spellcheck="false" size="60" /></label>
    <button type="submit">Use token</button><span class="status muted" aria-live="polite"></span>`;
  box.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = box.querySelector('input') as HTMLInputElement;
    if (storeAccessToken(input.value)) location.reload();
    else (box.querySelector('.status') as HTMLElement).textContent = 'not a token with a future expiry';
  });
  (document.querySelector('main') ?? document.body).prepend(box);
}
