/**
 * The offline outside world for `npm run dev`: the fake exchange (five venues' wire formats over real recorded
 * candles) and the fake Telegram Bot API, with the Worker vars that point at them.
 */
export interface DevFakes {
  vars: Record<string, string>;
  lines: string[];
  summary: string;
  close(): Promise<void>;
}

export async function startDevFakes(_opts: { liveVenues: boolean }): Promise<DevFakes> {
  return { vars: {}, lines: [], summary: 'no fakes started', close: async () => {} };
}
