/**
 * Lazy signal reasons: a strategy's signal carries the numbers of its bar (captured by a small template function)
 * and renders the human text only when something reads `reason` — a queued order, an exit that becomes a trade, a
 * paper signal or a live alert. The kernel ignores most non-HOLD signals (an EXIT on every bar of a downtrend while
 * flat), and formatting their prices was a third of a sweep's time (issue 14's profile). The text is the template's,
 * so it is byte-identical to the eager string it replaces, and reading it twice gives the same text.
 */
import type { Action, Signal } from './types';

/** The optional prices of an entry signal (see `Signal`). */
export type SignalPrices = Pick<Signal, 'stopLoss' | 'takeProfit' | 'trailingStop' | 'limitPrice'>;

class LazySignal implements Signal {
  readonly #text: () => string;
  readonly stopLoss: number | undefined;
  readonly takeProfit: number | undefined;
  readonly trailingStop: number | undefined;
  readonly limitPrice: number | undefined;
  constructor(
    readonly action: Action,
    text: () => string,
    prices: SignalPrices | undefined,
  ) {
    this.#text = text;
    // Every field assigned (undefined when absent) so all signals share one shape.
    this.stopLoss = prices?.stopLoss;
    this.takeProfit = prices?.takeProfit;
    this.trailingStop = prices?.trailingStop;
    this.limitPrice = prices?.limitPrice;
  }

  get reason(): string {
    return this.#text();
  }

  /** Serialises like the eager signal object it stands for (absent prices omitted). */
  toJSON(): Signal {
    return plainSignal(this);
  }
}

/** The signal as a plain object with its reason rendered and absent prices omitted (for JSON and comparisons). */
export function plainSignal(s: Signal): Signal {
  const out: { -readonly [K in keyof Signal]: Signal[K] } = { action: s.action, reason: s.reason };
  if (s.stopLoss !== undefined) out.stopLoss = s.stopLoss;
  if (s.takeProfit !== undefined) out.takeProfit = s.takeProfit;
  if (s.trailingStop !== undefined) out.trailingStop = s.trailingStop;
  if (s.limitPrice !== undefined) out.limitPrice = s.limitPrice;
  return out;
}

/** A signal whose `reason` is `text()`, rendered on read. */
export function lazySignal(action: Action, text: () => string, prices?: SignalPrices): Signal {
  return new LazySignal(action, text, prices);
}
