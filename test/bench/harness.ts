/**
 * The measuring machinery: a measurement is one batch of operations, run once per round; rounds
 * interleave every measurement (so a noisy minute on a shared machine hits all rows alike), and
 * each figure is reported as the median of the rounds with its min and max. Wall time and CPU
 * time (process.cpuUsage: every thread of the process, so WebCrypto's thread pool counts) are
 * both taken per operation.
 */

/** One batch's figures: always wall and CPU microseconds per operation, plus row-specific ones. */
export type Sample = Record<string, number>;

export interface BatchResult {
  /** Operations in the batch (verifications, requests). */
  ops: number;
  /** Row-specific figures (fetch count, time to first decision, requests per second...). */
  extra?: Record<string, number>;
}

export interface Measurement {
  /** Unique, stable id: the key in bench-results.json. */
  id: string;
  /** Which table row group it belongs to. */
  group: string;
  /** The implementation or variant measured. */
  impl: string;
  alg?: string;
  /** Untimed work before each batch (fresh authorizer, warm-up). */
  prepare?: () => Promise<void>;
  /** The timed batch. */
  run: () => Promise<BatchResult>;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export interface MeasurementResult {
  id: string;
  group: string;
  impl: string;
  alg?: string;
  ops: number;
  rounds: number;
  figures: Record<string, Summary>;
}

const gc = (globalThis as { gc?: () => void }).gc;

export async function runBatch(measurement: Measurement): Promise<{ ops: number; sample: Sample }> {
  await measurement.prepare?.();
  // A clean heap at the start of every batch, so one row does not pay for the previous one's
  // garbage; then a short pause so the collector's concurrent sweeping is not billed to the batch.
  if (gc !== undefined) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  const result = await measurement.run();
  const wallNs = Number(process.hrtime.bigint() - wallBefore);
  const cpu = process.cpuUsage(cpuBefore);
  const ops = Math.max(1, result.ops);
  const sample: Sample = {
    wallUsPerOp: wallNs / 1000 / ops,
    cpuUsPerOp: (cpu.user + cpu.system) / ops,
    ...result.extra,
  };
  return { ops: result.ops, sample };
}

/**
 * Runs every measurement once per round, in an order rotated by one each round, and summarises.
 * `onBatch` sees progress (for a live line on stderr).
 */
export async function runRounds(
  measurements: readonly Measurement[],
  rounds: number,
  onBatch?: (round: number, index: number, measurement: Measurement) => void,
): Promise<MeasurementResult[]> {
  const samples = new Map<string, Sample[]>();
  const ops = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < measurements.length; i++) {
      const measurement = measurements[(i + round) % measurements.length] as Measurement;
      onBatch?.(round, i, measurement);
      const batch = await runBatch(measurement);
      const list = samples.get(measurement.id) ?? [];
      list.push(batch.sample);
      samples.set(measurement.id, list);
      ops.set(measurement.id, batch.ops);
    }
  }
  return measurements.map((m) => ({
    id: m.id,
    group: m.group,
    impl: m.impl,
    ...(m.alg === undefined ? {} : { alg: m.alg }),
    ops: ops.get(m.id) ?? 0,
    rounds,
    figures: summarise(samples.get(m.id) ?? []),
  }));
}

export function summarise(samples: readonly Sample[]): Record<string, Summary> {
  const names = new Set(samples.flatMap((s) => Object.keys(s)));
  const figures: Record<string, Summary> = {};
  for (const name of names) {
    const values = samples.map((s) => s[name]).filter((v): v is number => typeof v === "number");
    figures[name] = summaryOf(values);
  }
  return figures;
}

export function summaryOf(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length === 0
    ? Number.NaN
    : sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN };
}

/** One operation at a time, each awaited before the next starts. */
export async function sequential<T>(items: readonly T[], operation: (item: T) => unknown): Promise<void> {
  for (const item of items) await operation(item);
}

/** `limit` operations in flight at all times until `items` is exhausted. */
export async function inFlight<T>(items: readonly T[], limit: number, operation: (item: T) => unknown): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await operation(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
