/**
 * Turning results into the Markdown table, the target verdicts and bench-results.json. Targets are
 * judged on ratios of medians from this one run (absolute times are not comparable between runs on
 * shared machines); where both wall and CPU time exist, a target is met only if both ratios meet it.
 */
import type { MeasurementResult, Summary } from "./harness.js";

export interface TargetVerdict {
  target: string;
  /** "met", "MISSED" or "not measured". */
  status: "met" | "MISSED" | "not measured" | "info";
  /** The measured ratios (or counts), named: { wall: 1.12, cpu: 1.05 }. */
  measured: Record<string, number>;
  detail: string;
}

export class Results {
  readonly #byId = new Map<string, MeasurementResult>();
  readonly list: MeasurementResult[] = [];
  /** Rows that could not be measured (a build missing...), with the reason. */
  readonly notMeasured: { group: string; reason: string }[] = [];

  add(results: readonly MeasurementResult[]): void {
    for (const result of results) {
      this.#byId.set(result.id, result);
      this.list.push(result);
    }
  }

  get(id: string): MeasurementResult | undefined {
    return this.#byId.get(id);
  }

  median(id: string, figure: string): number | undefined {
    return this.#byId.get(id)?.figures[figure]?.median;
  }
}

const fmt = (value: number): string => {
  if (!Number.isFinite(value)) return "n/a";
  if (value >= 1000) return Math.round(value).toLocaleString("en-US");
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

const range = (summary: Summary | undefined): string =>
  summary === undefined ? "" : `${fmt(summary.median)} (${fmt(summary.min)}–${fmt(summary.max)})`;

/** The per-operation rows (wall and CPU per op), grouped, with speed relative to ours. */
export function perOpTable(results: Results, groups: readonly string[]): string {
  const lines = [
    "| row | alg | implementation | wall µs/op median (min–max) | CPU µs/op median (min–max) | ops/s (wall) | ours is × faster (wall / CPU) |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const group of groups) {
    const rows = results.list.filter((r) => r.group === group);
    for (const row of rows) {
      const wall = row.figures.wallUsPerOp;
      const cpu = row.figures.cpuUsPerOp;
      const ours = rows.find((r) => r.alg === row.alg && r.impl.startsWith("edge-authorizer"));
      const relative = ours === undefined || ours === row || wall === undefined || cpu === undefined
        ? ""
        : `${fmt(wall.median / (ours.figures.wallUsPerOp?.median ?? Number.NaN))} / ${fmt(cpu.median / (ours.figures.cpuUsPerOp?.median ?? Number.NaN))}`;
      const opsPerSecond = wall === undefined ? "" : fmt(1e6 / wall.median);
      lines.push(`| ${group} | ${row.alg ?? ""} | ${row.impl} | ${range(wall)} | ${range(cpu)} | ${opsPerSecond} | ${relative} |`);
    }
  }
  return lines.join("\n");
}

/** Rows whose figures are not per-operation (cold start, import time, sizes, throughput). */
export function figureTable(results: Results, groups: readonly string[], figures: readonly { name: string; label: string }[]): string {
  const lines = ["| row | alg | measured | figure | median (min–max) |", "| --- | --- | --- | --- | ---: |"];
  for (const row of results.list.filter((r) => groups.includes(r.group))) {
    for (const { name, label } of figures) {
      const summary = row.figures[name];
      if (summary !== undefined) lines.push(`| ${row.group} | ${row.alg ?? ""} | ${row.impl} | ${label} | ${range(summary)} |`);
    }
  }
  for (const missing of results.notMeasured.filter((m) => groups.includes(m.group))) {
    lines.push(`| ${missing.group} | | | not measured | ${missing.reason} |`);
  }
  return lines.join("\n");
}

export function targetTable(verdicts: readonly TargetVerdict[]): string {
  const lines = ["| target | status | measured | detail |", "| --- | --- | --- | --- |"];
  for (const v of verdicts) {
    const measured = Object.entries(v.measured).map(([k, x]) => `${k} ${fmt(x)}`).join(", ");
    lines.push(`| ${v.target} | ${v.status} | ${measured} | ${v.detail} |`);
  }
  return lines.join("\n");
}

/**
 * A ratio target over wall and CPU medians. `ratio(figure)` computes the ratio for one figure;
 * `ok(ratio)` says whether it meets the target.
 */
export function ratioTarget(
  target: string,
  detail: string,
  figures: readonly string[],
  ratio: (figure: string) => number | undefined,
  ok: (value: number) => boolean,
): TargetVerdict {
  const measured: Record<string, number> = {};
  let status: TargetVerdict["status"] = "met";
  for (const figure of figures) {
    const value = ratio(figure);
    if (value === undefined || !Number.isFinite(value)) {
      return { target, status: "not measured", measured, detail };
    }
    measured[figure.replace("UsPerOp", "")] = value;
    if (!ok(value)) status = "MISSED";
  }
  return { target, status, measured, detail };
}

/**
 * The short table for the README: per row and algorithm, the floor, ours, jose and the fastest
 * other peer, each as "wall µs/op (CPU µs/op)" medians.
 */
export function summaryTable(results: Results, peers: readonly { id: string; label: string }[]): string {
  const cell = (id: string): string => {
    const r = results.get(id);
    const wall = r?.figures.wallUsPerOp?.median;
    const cpu = r?.figures.cpuUsPerOp?.median;
    return wall === undefined || cpu === undefined ? "–" : `${fmt(wall)} (${fmt(cpu)})`;
  };
  const rows = [
    { key: "first-seen/seq", label: "first-seen, sequential", floor: "floor-parse/seq" },
    { key: "first-seen/c64", label: "first-seen, 64 in flight", floor: "floor-parse/c64" },
    { key: "realistic", label: "realistic traffic (Zipf)", floor: undefined },
    { key: "repeat", label: "repeat token", floor: undefined },
  ];
  const lines = [
    "| row | alg | WebCrypto floor + parse | edge-authorizer | jose jwtVerify (CryptoKey) | fastest other peer |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    for (const alg of ["RS256", "ES256", "EdDSA"]) {
      let fastest: { label: string; wall: number; id: string } | undefined;
      for (const peer of peers) {
        if (peer.id === "jose-key") continue;
        const id = `${row.key}/${peer.id}/${alg}`;
        const wall = results.get(id)?.figures.wallUsPerOp?.median;
        if (wall !== undefined && (fastest === undefined || wall < fastest.wall)) fastest = { label: peer.label, wall, id };
      }
      lines.push(`| ${row.label} | ${alg} | ${row.floor === undefined ? "" : cell(`${row.floor}/${alg}`)} | ${cell(`${row.key}/ours/${alg}`)} | ${cell(`${row.key}/jose-key/${alg}`)} | ${fastest === undefined ? "" : `${cell(fastest.id)} ${fastest.label}`} |`);
    }
  }
  return lines.join("\n");
}
