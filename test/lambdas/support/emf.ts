/**
 * A checker for CloudWatch Embedded Metric Format documents, after the published specification:
 * `_aws.Timestamp` (ms), `_aws.CloudWatchMetrics` directives with `Namespace`, `Dimensions` (arrays
 * of at most 30 keys, each a string member of the root) and `Metrics` (each `Name` a number, or an
 * array of numbers, at the root; `Unit` a CloudWatch unit). Returns the problems found.
 */
const UNITS = new Set([
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits",
  "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
  "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
  "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
]);

export function emfProblems(line: string): string[] {
  const problems: string[] = [];
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(line);
  } catch {
    return ["not JSON"];
  }
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (typeof aws !== "object" || aws === null) return ["no _aws object"];
  if (typeof aws.Timestamp !== "number" || !Number.isInteger(aws.Timestamp)) problems.push("_aws.Timestamp is not ms since the epoch");
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) return [...problems, "no CloudWatchMetrics directives"];
  for (const directive of aws.CloudWatchMetrics as Record<string, unknown>[]) {
    if (typeof directive.Namespace !== "string" || directive.Namespace === "") problems.push("directive without Namespace");
    const dimensions = directive.Dimensions;
    if (!Array.isArray(dimensions)) problems.push("Dimensions is not an array");
    else {
      for (const set of dimensions) {
        if (!Array.isArray(set) || set.length > 30) problems.push("a DimensionSet is not an array of at most 30 keys");
        else for (const key of set) if (typeof doc[key] !== "string") problems.push(`dimension ${key} is not a string member of the root`);
      }
    }
    const metrics = directive.Metrics;
    if (!Array.isArray(metrics) || metrics.length === 0 || metrics.length > 100) problems.push("Metrics is not an array of 1-100 definitions");
    else {
      for (const metric of metrics as { Name?: unknown; Unit?: unknown }[]) {
        const value = doc[metric.Name as string];
        const numeric = typeof value === "number" || (Array.isArray(value) && value.every((v) => typeof v === "number"));
        if (typeof metric.Name !== "string" || !numeric) problems.push(`metric ${String(metric.Name)} has no numeric value at the root`);
        if (metric.Unit !== undefined && !UNITS.has(metric.Unit as string)) problems.push(`metric ${String(metric.Name)} has unit ${String(metric.Unit)}`);
      }
    }
  }
  return problems;
}
