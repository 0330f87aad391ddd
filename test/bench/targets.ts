/**
 * The targets, judged from this run's medians. Speed ratios are "theirs / ours" on time
 * per operation (above 1: ours is faster); overhead ratios are "ours / baseline" (below 1.25 ...).
 */
import { ALGORITHMS } from "./fixtures.js";
import { PEERS } from "./peers.js";
import { ratioTarget, type Results, type TargetVerdict } from "./report.js";

const BOTH = ["wallUsPerOp", "cpuUsPerOp"] as const;
/** How much the decision log + metrics hook may add to a request and still count as unmeasurable. */
export const LOG_HOOK_LIMIT = 1.05;

export function coreTargets(results: Results): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const per = (id: string, figure: string): number | undefined => results.median(id, figure);
  const speedup = (theirs: string, ours: string) => (figure: string) => {
    const a = per(theirs, figure);
    const b = per(ours, figure);
    return a === undefined || b === undefined ? undefined : a / b;
  };

  for (const alg of ALGORITHMS) {
    for (const mode of [{ key: "seq", label: "sequential" }, { key: "c64", label: "64 in flight" }]) {
      verdicts.push(ratioTarget(
        `first-seen ${mode.label} ${alg}: >= jose jwtVerify (CryptoKey)`,
        "jose time / our time, >= 1.0",
        BOTH, speedup(`first-seen/${mode.key}/jose-key/${alg}`, `first-seen/${mode.key}/ours/${alg}`), (r) => r >= 1.0,
      ));
      verdicts.push(ratioTarget(
        `first-seen ${mode.label} ${alg}: within 1.25x of floor + parse`,
        "our time / floor+parse time, <= 1.25",
        BOTH, (figure) => {
          const r = speedup(`first-seen/${mode.key}/ours/${alg}`, `floor-parse/${mode.key}/${alg}`)(figure);
          return r;
        }, (r) => r <= 1.25,
      ));
    }
  }
  for (const alg of ALGORITHMS) {
    verdicts.push(ratioTarget(
      `realistic ${alg}: >= 10x jose`, "jose time / our time per request, >= 10",
      BOTH, speedup(`realistic/jose-key/${alg}`, `realistic/ours/${alg}`), (r) => r >= 10,
    ));
    const fastest = (figure: string): string | undefined => {
      let best: { id: string; value: number } | undefined;
      for (const peer of PEERS) {
        const value = per(`realistic/${peer.id}/${alg}`, figure);
        if (value !== undefined && (best === undefined || value < best.value)) best = { id: peer.id, value };
      }
      return best?.id;
    };
    const fastestWall = fastest("wallUsPerOp");
    verdicts.push(ratioTarget(
      `realistic ${alg}: >= 3x the fastest peer`, `fastest peer (wall: ${fastestWall ?? "?"}, cpu: ${fastest("cpuUsPerOp") ?? "?"}) / ours, >= 3`,
      BOTH, (figure) => {
        const peer = fastest(figure);
        return peer === undefined ? undefined : speedup(`realistic/${peer}/${alg}`, `realistic/ours/${alg}`)(figure);
      }, (r) => r >= 3,
    ));
    verdicts.push(ratioTarget(
      `repeat token ${alg}: >= 20x jose`, "jose time / our cache-hit time, >= 20",
      BOTH, speedup(`repeat/jose-key/${alg}`, `repeat/ours/${alg}`), (r) => r >= 20,
    ));
  }
  for (const workload of ["repeat", "realistic"]) {
    for (const hook of [{ key: "emf", label: "Lambda EMF metrics" }, { key: "analytics", label: "Worker Analytics Engine metrics" }]) {
      verdicts.push(ratioTarget(
        `${hook.label} (${workload}, ES256): no measurable slowdown`,
        `time with JSON logger + ${hook.key} hooks / time with JSON logger alone, <= ${LOG_HOOK_LIMIT}`,
        BOTH, speedup(`log-hook/${workload}/json+${hook.key}/ES256`, `log-hook/${workload}/json/ES256`), (r) => r <= LOG_HOOK_LIMIT,
      ));
    }
    // Not a target: the decision line is required (one per decision); this shows what it costs.
    const logLine = ratioTarget(
      `(info) JSON decision log line (${workload}, ES256)`,
      "time with default JSON logger / time with log: () => {}",
      BOTH, speedup(`log-hook/${workload}/json/ES256`, `log-hook/${workload}/none/ES256`), () => true,
    );
    verdicts.push(logLine.status === "met" ? { ...logLine, status: "info" } : logLine);
  }
  return verdicts;
}
