/**
 * `npm run bench`: prints figures, asserts nothing. The offline plan of every committed stack (wall time, its
 * ratio to loading @pulumi/pulumi alone in the same run, peak memory, which provider SDKs it loaded), `npm test`,
 * and the install size. BENCH_RUNS (default 5) sets the rounds; BENCH_COLD=1 also times `npm test` without the
 * typecheck's incremental cache.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const probeDir = mkdtempSync(path.join(tmpdir(), "bench-"));

interface Measure {
  seconds: number;
  maxRssMiB: number;
  sdks: string[];
  status: number | null;
}

function measure(args: string[], label: string): Measure {
  const probeFile = path.join(probeDir, `${label}.json`);
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ["--require", path.join(ROOT, "scripts/bench-probe.cjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, BENCH_PROBE_FILE: probeFile },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const probe = existsSync(probeFile)
    ? (JSON.parse(readFileSync(probeFile, "utf8")) as { maxRssKiB: number; sdks: string[] })
    : undefined;
  return { seconds, maxRssMiB: (probe?.maxRssKiB ?? 0) / 1024, sdks: probe?.sdks ?? [], status: run.status };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += directorySize(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

const stacks = readdirSync(ROOT)
  .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined && !/^pr-\d+$/.test(stack))
  .sort();

// Targets (issue 14): each a ratio within this one run, so that a busy machine slows both sides alike.
const PLAN_RATIO_TARGET = 2.0;
const PLAN_PEAK_MIB_TARGET = 250;
const TEST_SECONDS_TARGET = 30;

/** `npm run plan`'s node arguments, from package.json, so the bench times the command users run. */
const scripts = (
  JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;
const planArgs = (scripts.plan ?? "").trim().split(/\s+/).slice(1);

// Interleaved rounds: the SDK floor and every stack once per round, so a burst of load hits all of them.
const floor: Measure[] = [];
const plans = new Map<string, Measure[]>(stacks.map((stack) => [stack, []]));
for (let round = 0; round < RUNS; round++) {
  floor.push(measure(["-e", "require('@pulumi/pulumi')"], `floor-${round}`));
  for (const stack of stacks) plans.get(stack)?.push(measure([...planArgs, "--stack", stack], `${stack}-${round}`));
}
const floorSeconds = median(floor.map((r) => r.seconds));
console.log(`Offline plan: node ${planArgs.join(" ")} --stack NAME, median of ${RUNS} runs`);
console.log(`SDK floor: node -e "require('@pulumi/pulumi')" ${floorSeconds.toFixed(2)} s`);
console.log(`Targets: at most ${PLAN_RATIO_TARGET.toFixed(1)}x the floor, at most ${PLAN_PEAK_MIB_TARGET} MiB peak`);
console.log("stack          wall s   x floor   peak MiB   exit   within   provider SDKs loaded");
for (const [stack, runs] of plans) {
  const last = runs[runs.length - 1] as Measure;
  const seconds = median(runs.map((r) => r.seconds));
  const peak = Math.max(...runs.map((r) => r.maxRssMiB));
  const ratio = seconds / floorSeconds;
  const within = ratio <= PLAN_RATIO_TARGET && peak <= PLAN_PEAK_MIB_TARGET && runs.every((r) => r.status === 0);
  console.log(
    `${stack.padEnd(14)} ${seconds.toFixed(2).padStart(6)}   ${ratio.toFixed(2).padStart(7)}   ${peak.toFixed(0).padStart(8)}   ${String(last.status).padStart(4)}   ${(within ? "yes" : "NO").padStart(6)}   ${last.sdks.join(", ")}`,
  );
}

// `npm test` as a developer runs it (typecheck included); with BENCH_COLD=1 also after dropping the caches a
// clean CI checkout lacks (the typecheck's incremental state and V8's compile cache, both in node_modules/.cache).
// Besides the wall time, the CPU time of the whole process tree (user + system, from bash's `times`): on a busy
// machine the wall time says little, but CPU / cores is the least wall time these cores could give.
const testRuns = process.env.BENCH_COLD === "1" ? ["cold", "warm"] : ["warm"];
for (const kind of testRuns) {
  if (kind === "cold") {
    for (const cache of ["tsc.tsbuildinfo", "v8"])
      rmSync(path.join(ROOT, "node_modules/.cache/mastodon-media", cache), { recursive: true, force: true });
  }
  const started = process.hrtime.bigint();
  const suite = spawnSync("bash", ["-c", "npm test; status=$?; times >&2; exit $status"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const suiteSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = suite.stdout.toString().replace(/\x1b\[[0-9;]*m/g, "");
  // One summary per vitest project (scripts/test.sh runs them side by side).
  const summary = [...output.matchAll(/Test Files\s+(.*)\n\s*Tests\s+(.*)/g)]
    .map((m) => `${m[1]?.trim()}; ${m[2]?.trim()}`)
    .join(" + ");
  const cpuSeconds = childrenCpuSeconds(suite.stderr.toString());
  const cores = cpus().length;
  console.log(
    `\nnpm test (${kind} caches): ${suiteSeconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU (${(cpuSeconds / cores).toFixed(1)} s per core) ` +
      `(target at most ${TEST_SECONDS_TARGET} s wall on 2 idle cores; this machine: ${cores} cores, load ${loadavg()[0]?.toFixed(1)}), exit ${suite.status}, ${summary || "no summary"}`,
  );
}

/** The children's user + system seconds from the last line of bash's `times` ("0m41.2s 0m13.1s"). */
function childrenCpuSeconds(stderr: string): number {
  const line = stderr.trim().split("\n").pop() ?? "";
  const seconds = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return (seconds[0] ?? 0) + (seconds[1] ?? 0);
}

const modules = path.join(ROOT, "node_modules");
if (existsSync(modules)) {
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`\nInstall size: node_modules ${mib(directorySize(modules))} MiB`);
  for (const pkg of [
    "@pulumi/aws",
    "@pulumi/cloudflare",
    "@pulumi/digitalocean",
    "@pulumi/minio",
    "@pulumi/pulumi",
    "@aws-sdk",
    "typescript",
    "vitest",
  ]) {
    const dir = path.join(modules, pkg);
    if (existsSync(dir)) console.log(`  ${pkg.padEnd(22)} ${mib(directorySize(dir)).padStart(5)} MiB`);
  }
}
