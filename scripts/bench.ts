/**
 * `npm run bench`: prints figures, asserts nothing. The offline plan of every committed stack (wall time, peak
 * memory, which provider SDKs it loaded), the unit test suite, and the install size.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
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
  const probe = existsSync(probeFile) ? (JSON.parse(readFileSync(probeFile, "utf8")) as { maxRssKiB: number; sdks: string[] }) : undefined;
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
  .filter((stack): stack is string => stack !== undefined)
  .sort();

console.log(`Offline plan (node --import tsx cli/plan/main.ts), median of ${RUNS} runs, target < 3 s and < 300 MiB`);
console.log("stack          wall s   peak MiB   exit   provider SDKs loaded");
for (const stack of stacks) {
  const runs = Array.from({ length: RUNS }, (_, i) => measure(["--import", "tsx", "cli/plan/main.ts", "--stack", stack], `${stack}-${i}`));
  const last = runs[runs.length - 1] as Measure;
  console.log(
    `${stack.padEnd(14)} ${median(runs.map((r) => r.seconds)).toFixed(2).padStart(6)}   ${median(runs.map((r) => r.maxRssMiB)).toFixed(0).padStart(8)}   ${String(last.status).padStart(4)}   ${last.sdks.join(", ")}`,
  );
}

const vitest = path.join(ROOT, "node_modules/vitest/vitest.mjs");
const started = process.hrtime.bigint();
const suite = spawnSync(process.execPath, [vitest, "run", "--project", "unit"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
const suiteSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const summary = /Tests\s+(.*)/.exec(suite.stdout.toString().replace(/\x1b\[[0-9;]*m/g, ""))?.[1]?.trim();
console.log(`\nUnit test suite (vitest run --project unit): ${suiteSeconds.toFixed(1)} s wall, exit ${suite.status}, ${summary ?? "no summary"}`);

const modules = path.join(ROOT, "node_modules");
if (existsSync(modules)) {
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`\nInstall size: node_modules ${mib(directorySize(modules))} MiB`);
  for (const pkg of ["@pulumi/aws", "@pulumi/cloudflare", "@pulumi/digitalocean", "@pulumi/minio", "@pulumi/pulumi", "@aws-sdk", "typescript", "vitest"]) {
    const dir = path.join(modules, pkg);
    if (existsSync(dir)) console.log(`  ${pkg.padEnd(22)} ${mib(directorySize(dir)).padStart(5)} MiB`);
  }
}
