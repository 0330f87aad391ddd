/**
 * `npm run bench` (full: five interleaved rounds) and `npm run bench -- --quick` (or BENCH_QUICK=1:
 * one short round, every row, for CI). Prints Markdown tables and target verdicts and writes
 * bench-results.json. Exits 1 only when something is broken (a wrong decision, a peer that failed
 * on a valid token, a cold start with other than one JWKS fetch), never because of a timing.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { buildCoreMeasurements, Failures } from "./core-rows.js";
import { createFixtures } from "./fixtures.js";
import { runRounds } from "./harness.js";
import { PEERS } from "./peers.js";
import { figureTable, perOpTable, Results, summaryTable, targetTable, type TargetVerdict } from "./report.js";
import { coreTargets } from "./targets.js";
import { buildStartupMeasurements, startupTargets, STARTUP_FIGURES, STARTUP_GROUPS } from "./startup-rows.js";
import { buildWorkerMeasurements, WORKER_FIGURES, WORKER_GROUP, workerLogShare, workerTarget } from "./worker-rows.js";

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const rounds = quick ? 1 : 5;
const sizes = quick
  ? { tokensPerAlg: 257, firstSeenSequential: 64, firstSeenInFlight: 128, inFlight: 64, repeat: 500, repeatPeer: 200, distinctRealistic: 200, realisticRequests: 2_000, coldRequests: 1_000, importSpawns: 1 }
  : { tokensPerAlg: 2_049, firstSeenSequential: 600, firstSeenInFlight: 2_048, inFlight: 64, repeat: 50_000, repeatPeer: 5_000, distinctRealistic: 200, realisticRequests: 20_000, coldRequests: 1_000, importSpawns: 2 };

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const loadBefore = loadavg();
  const failures = new Failures();
  const fixtures = await createFixtures(sizes);
  const results = new Results();
  const verdicts: TargetVerdict[] = [];
  const workers = await buildWorkerMeasurements(results, { quick, failures, fixtures });
  try {
    const measurements = [
      ...buildCoreMeasurements(fixtures, sizes, failures),
      ...(await buildStartupMeasurements(fixtures, sizes, failures, results)),
      ...workers.measurements,
    ];
    results.add(await runRounds(measurements, rounds, (round, index, m) => {
      progress(`round ${round + 1}/${rounds} · ${index + 1}/${measurements.length} · ${m.id}`);
    }));
    progress("");
    verdicts.push(...coreTargets(results), ...startupTargets(results, failures), workerTarget(results), workerLogShare(results));
  } finally {
    await workers.close();
    await fixtures.close();
  }
  const loadAfter = loadavg();

  const perOpGroups = [...new Set(results.list.filter((r) => r.figures.wallUsPerOp !== undefined && !STARTUP_GROUPS.includes(r.group) && r.group !== WORKER_GROUP).map((r) => r.group))];
  const output = [
    `## edge-authorizer benchmark (${quick ? "quick: 1 short round, timings not meaningful" : `${rounds} interleaved rounds`})`,
    "",
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")} before, ${loadAfter.map((l) => l.toFixed(2)).join(" ")} after; ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    "",
    "### Summary (µs per operation, wall (CPU), medians)",
    "",
    summaryTable(results, PEERS),
    "",
    "### Per operation",
    "",
    perOpTable(results, perOpGroups),
    "",
    "### Cold start and size",
    "",
    figureTable(results, STARTUP_GROUPS, STARTUP_FIGURES),
    "",
    "### Worker throughput (workerd)",
    "",
    figureTable(results, [WORKER_GROUP], WORKER_FIGURES),
    "",
    "### Targets",
    "",
    targetTable(verdicts),
    "",
  ];
  if (failures.total > 0) {
    output.push("### BROKEN: wrong answers during the run", "");
    for (const [id, entry] of failures.byId) output.push(`- ${id}: ${entry.count} × ${entry.example}`);
    output.push("");
  }
  process.stdout.write(output.join("\n"));

  writeFileSync("bench-results.json", `${JSON.stringify({
    meta: {
      date: new Date().toISOString(), mode: quick ? "quick" : "full", rounds, sizes, node: process.version,
      cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter,
      seconds: (Date.now() - started) / 1000,
    },
    results: results.list,
    notMeasured: results.notMeasured,
    targets: verdicts,
    failures: Object.fromEntries(failures.byId),
  }, null, 2)}\n`);
  return failures.total > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
