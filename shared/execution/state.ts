/**
 * The execution kernel's state as a zod schema: the open position (with its stops and trailing level), the
 * pending entry order, a multi-lot strategy's open lots and resting lot orders (a grid: each lot its own entry,
 * stop and target; absent in states stored before lots existed, read back as none), the queued signal exit, the risk carry (busy / cooldown / circuit-breaker pause ends, the
 * consecutive-loss count) and the kernel's candle counter. Plain JSON only (numbers, strings, booleans, null),
 * so the paper account and the live alert stage can store it between cron cycles and resume exactly;
 * `parseKernelState` validates a stored copy before it is trusted.
 */
import { z } from 'zod';

const side = z.enum(['long', 'short']);
const dir = z.union([z.literal(1), z.literal(-1)]);
const liquidity = z.enum(['maker', 'taker']);
const price = z.number().finite();

export const kernelPositionSchema = z.object({
  side,
  dir,
  /** Open time of the candle whose close produced the entry signal. */
  signalTime: z.number(),
  /** Open time of the candle in which the entry filled. */
  entryTime: z.number(),
  /** Kernel candle counter (`seq`) at the entry candle: holding time in candles is counted from it. */
  entrySeq: z.number().int(),
  entryPrice: price.positive(),
  entryLiquidity: liquidity,
  entryReason: z.string(),
  entryAtrPct: z.number().nullable(),
  /** Filled inside the entry candle (limit), so that candle's earlier range is not known to be after the entry. */
  intrabar: z.boolean(),
  stopLoss: price.nullable(),
  takeProfit: price.nullable(),
  trailPct: z.number().nullable(),
  /** Best price since entry (high for longs, low for shorts) and the trailing level derived from it (0 without one). */
  best: price,
  trail: price,
});
export type KernelPosition = z.infer<typeof kernelPositionSchema>;

export const pendingEntrySchema = z.object({
  side,
  dir,
  signalTime: z.number(),
  signalSeq: z.number().int(),
  reason: z.string(),
  stopLoss: price.nullable(),
  takeProfit: price.nullable(),
  trailPct: z.number().nullable(),
  /** Limit price of a maker entry; null = market order at the next open. */
  limitPrice: price.nullable(),
});
export type PendingEntry = z.infer<typeof pendingEntrySchema>;

/** One lot of a multi-lot position (a grid level): a position with the key the strategy gave its order. */
export const kernelLotSchema = kernelPositionSchema.extend({ key: z.string() });
export type KernelLot = z.infer<typeof kernelLotSchema>;

/** One resting lot order (a grid bid), keyed; at most one open lot or order per key. */
export const pendingLotSchema = pendingEntrySchema.extend({ key: z.string() });
export type PendingLot = z.infer<typeof pendingLotSchema>;

export const riskCarrySchema = z.object({
  /** Entry signals on candles before this open time are ignored silently (a previous chunk still held a position). */
  busyUntil: z.number(),
  cooldownUntil: z.number(),
  pausedUntil: z.number(),
  consecutiveLosses: z.number().int().min(0),
});
export type RiskCarry = z.infer<typeof riskCarrySchema>;

export const kernelStateSchema = z.object({
  version: z.literal(1),
  /** Candles stepped so far (the counter the holding time and limit expiry are measured in). */
  seq: z.number().int(),
  /** Open time of the last candle `step` processed; null before the first. A candle not after it is refused. */
  lastTime: z.number().nullable(),
  position: kernelPositionSchema.nullable(),
  pending: pendingEntrySchema.nullable(),
  /** Open lots of a multi-lot strategy (a signal with `lots`), in fill order. Single-lot strategies never use them. */
  lots: z.array(kernelLotSchema).default([]),
  /** Resting lot orders, in the strategy's order (each fills, expires or is replaced by the next lot signal). */
  pendingLots: z.array(pendingLotSchema).default([]),
  /** The reason of a signal exit queued on the last close (fills at the next open), else null. */
  exitPending: z.string().nullable(),
  /** Open time of the candle whose signal queued that exit (null with no exit queued). */
  exitSignalTime: z.number().nullable(),
  carry: riskCarrySchema,
});
export type KernelState = z.infer<typeof kernelStateSchema>;

/** A fresh, flat state (optionally starting from a chunk's carry-in). */
export function initialKernelState(carry: Partial<RiskCarry> = {}): KernelState {
  return {
    version: 1,
    seq: -1,
    lastTime: null,
    position: null,
    pending: null,
    lots: [],
    pendingLots: [],
    exitPending: null,
    exitSignalTime: null,
    carry: { busyUntil: 0, cooldownUntil: 0, pausedUntil: 0, consecutiveLosses: 0, ...carry },
  };
}

/** Validate a stored state (e.g. a jsonb column); throws a ZodError naming the bad field. */
export function parseKernelState(input: unknown): KernelState {
  return kernelStateSchema.parse(input);
}

/** A deep copy (the state is plain JSON data). */
export function cloneKernelState(s: KernelState): KernelState {
  return {
    ...s,
    position: s.position ? { ...s.position } : null,
    pending: s.pending ? { ...s.pending } : null,
    lots: s.lots.map((l) => ({ ...l })),
    pendingLots: s.pendingLots.map((l) => ({ ...l })),
    carry: { ...s.carry },
  };
}
