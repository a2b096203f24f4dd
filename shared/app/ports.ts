/**
 * What the application layer (`shared/app/`) needs from its host, injected by the caller: the Worker's jobs and
 * routes, the Node tools and the tests. The app layer orchestrates research over the database and may import the
 * pure core; it never reads a clock or touches a queue binding itself, so it runs unchanged in workerd and Node.
 */

/** Milliseconds since the epoch (the host's `Date.now`); used only for wall-time and duration provenance. */
export type Clock = () => number;

/** Sends job messages to the host's queue (the Worker batches them to the Queues limit). */
export type Enqueue<T> = (messages: readonly T[]) => Promise<void>;
