import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rcloneEnvironment } from "../../cli/migrate/copy";
import { KEYS_PER_RCLONE_RUN } from "../../cli/migrate/pass";
import { copyCommands, remoteEnv } from "../../cli/migrate/rclone";
import { commandNodeArgs } from "../helpers/npm-script";
import { targetOfText } from "../helpers/target";
import { PROJECT_ROOT } from "../../offline-plan/run";
import { publicReadPolicy, writerPolicy } from "../../components/policy-documents";
import { corsRule } from "../../components/cors";
import { startFront } from "./front/front";
import {
  createBucket,
  createWriter,
  localEnv,
  putWriterPolicy,
  serversFromEnv,
  uniqueBucket,
  withEnv,
  type Servers,
  type Writer,
} from "./server";

/**
 * `npm run bench:migrate`: migrate --run against bare rclone on Mastodon-shaped trees of N objects, on the local
 * Ceph RGW, interleaved (the order alternates each round, so a burst of load slows both alike). It prints the
 * wall time, the peak memory (VmHWM, polled from /proc) of node and of rclone, for a first pass and for a pass
 * with nothing new; then requests per object, counted in separate untimed runs through a counting HTTP front
 * (a timed run through it would measure the hop too); then a projection to 1M and 10M objects, linear in the
 * growth between the two largest sizes (rclone's in the product capped at one key list: it never holds more). A report: it asserts only that every run succeeded. Skipped unless MIGRATE_BENCH=1.
 */

const SIZES = (process.env.MIGRATE_BENCH_SIZES ?? "5000,20000").split(",").filter(Boolean).map(Number);
/**
 * MIGRATE_BENCH_RERUN_AT=N: also a pass with nothing new at N objects (1,000,000 for issue #23's memory target),
 * on a tree of tiny files (8 to 64 bytes: the memstore OSD holds every byte in RAM, and a pass with nothing new
 * reads no bytes but the sample's), filled by one untimed bare rclone copy; then the product and bare rclone each
 * re-run on that one copy, interleaved, MIGRATE_BENCH_ROUNDS times. MIGRATE_BENCH_FILL=product fills it with
 * migrate's own first pass instead, and prints that pass's peaks: at 100,000 objects its rclone is given one full
 * list (KEYS_PER_RCLONE_RUN keys), the most it is ever given.
 */
const RERUN_AT = Number(process.env.MIGRATE_BENCH_RERUN_AT ?? 0);
const FILL_BY_PRODUCT = process.env.MIGRATE_BENCH_FILL === "product";
/** The old-generation cap (MB) of one more pass with nothing new at MIGRATE_BENCH_RERUN_AT (MIGRATE_BENCH_HEAP_MB). */
const HEAP_CAP_MB = Number(process.env.MIGRATE_BENCH_HEAP_MB ?? 48);
const ROUNDS = Number(process.env.MIGRATE_BENCH_ROUNDS ?? 1);
const PREFIX = "social";
let servers: Servers;
let writer: Writer;
let bucket: string;
let dir: string;
let directEnv: string;

/**
 * A deterministic Mastodon-shaped tree: Paperclip's `CLASS/ATTACHMENT/ID_PARTITION/STYLE/FILE` keys, 70%
 * thumbnails and small images (2-20 KB: `small` styles, avatars, emoji, preview cards), 30% originals
 * (20-120 KB); 40% of the keys under cache/ (remote media). Contents are slices of one pseudo-random pool, each
 * file made unique by its index.
 */
export function writeMastodonTree(root: string, count: number, options: { tiny?: boolean } = {}): { bytes: number } {
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pool = Buffer.alloc(256 * 1024);
  for (let i = 0; i < pool.length; i++) pool[i] = Math.floor(next() * 256);
  let bytes = 0;
  const partition = (n: number) => String(n).padStart(9, "0").match(/.{3}/g)!.join("/");
  for (let i = 0; i < count; i++) {
    const original = next() < 0.3;
    const size = options.tiny
      ? 8 + (i % 57)
      : original
        ? 20_000 + Math.floor(next() * 100_000)
        : 2_000 + Math.floor(next() * 18_000);
    const kind = next();
    const style = original ? "original" : "small";
    const id = partition(1 + Math.floor(i / 2));
    const name = `${i.toString(16).padStart(8, "0")}.${original ? "jpg" : "png"}`;
    const key =
      kind < 0.4
        ? `cache/media_attachments/files/${id}/${style}/${name}`
        : kind < 0.7
          ? `media_attachments/files/${id}/${style}/${name}`
          : kind < 0.85
            ? `accounts/avatars/${id}/${style}/${name}`
            : kind < 0.95
              ? `cache/preview_cards/images/${id}/original/${name}`
              : `custom_emojis/images/${id}/${style}/${name}`;
    const file = path.join(root, ...key.split("/"));
    mkdirSync(path.dirname(file), { recursive: true });
    const body = Buffer.alloc(size);
    const offset = Math.floor(next() * (pool.length - 1));
    for (let written = 0; written < size; written += pool.length) pool.copy(body, written, written === 0 ? offset : 0);
    body.writeUInt32BE(i, 0);
    writeFileSync(file, body);
    bytes += size;
  }
  return { bytes };
}

interface Measured {
  seconds: number;
  /** Peak resident memory in MB (VmHWM) of the node process and of its rclone children (the largest one). */
  nodeMb: number;
  rcloneMb: number;
  stdout: string;
  /** Set when the run was stopped for passing `limitMb` (measure's option): its peak and time are where it stood. */
  stoppedAboveMb?: number;
}

/**
 * A bare rclone re-run at MIGRATE_BENCH_RERUN_AT is stopped past this many MB (MIGRATE_BENCH_RCLONE_LIMIT_MB,
 * default 4096) and reported as stopped: its `--fast-list` holds the whole listing (4.6 GB after 40 s, still
 * listing, at 1M objects on a 24 GB machine whose memstore RGW held 15 GB), and the kernel's OOM killer would
 * otherwise pick the RGW.
 */
const RCLONE_LIMIT_MB = Number(process.env.MIGRATE_BENCH_RCLONE_LIMIT_MB ?? 4096);

/** Runs a process, polling /proc every 100 ms for its own and its children's VmHWM (a high-water mark: polling cannot miss a peak, only the last 100 ms). */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv, limitMb = Infinity): Promise<Measured> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const peaks = new Map<number, { mb: number; name: string }>();
    let stopped: number | undefined;
    const poll = () => {
      const pids = [child.pid!, ...childrenOf(child.pid!)];
      for (const pid of pids) {
        try {
          const status = readFileSync(`/proc/${pid}/status`, "utf8");
          const mb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
          const name = /Name:\s+(\S+)/.exec(status)?.[1] ?? "";
          if (mb > (peaks.get(pid)?.mb ?? 0)) peaks.set(pid, { mb, name });
          if (mb > limitMb && !stopped) {
            stopped = mb;
            child.kill("SIGKILL");
          }
        } catch {
          // exited between the listing and the read
        }
      }
    };
    const timer = setInterval(poll, 100);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(timer);
      if (code !== 0 && !stopped) return reject(new Error(`${command} exited ${code}:\n${stdout}\n${stderr}`));
      const all = [...peaks.entries()];
      const mb = (filter: (name: string, pid: number) => boolean) =>
        Math.max(0, ...all.filter(([pid, peak]) => filter(peak.name, pid)).map(([, peak]) => peak.mb));
      resolve({
        seconds: (Date.now() - started) / 1000,
        nodeMb: mb((name) => name === "node" || name === "MainThread"),
        rcloneMb: mb((name) => name === "rclone"),
        stdout,
        ...(stopped ? { stoppedAboveMb: limitMb } : {}),
      });
    });
  });
}

function childrenOf(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return children.flatMap((child) => [child, ...childrenOf(child)]);
  } catch {
    return [];
  }
}

function envFor(name: string, endpoint?: string): { file: string; env: string } {
  let env = withEnv(directEnv, "S3_KEY_PREFIX", `${PREFIX}/${name}`);
  if (endpoint) env = withEnv(env, "S3_ENDPOINT", endpoint);
  const file = path.join(dir, `${name}.env`);
  writeFileSync(file, env, { mode: 0o600 });
  return { file, env };
}

/** migrate --run as `npm run migrate` runs it; `nodeFlags` go before the loader (e.g. a heap cap). */
function product(tree: string, name: string, endpoint?: string, nodeFlags: string[] = []): Promise<Measured> {
  const { file } = envFor(name, endpoint);
  return measure(
    process.execPath,
    [...nodeFlags, ...commandNodeArgs("migrate"), "--from", `local:${tree}`, "--to-env", file, "--run"],
    process.env,
  );
}

/** Bare rclone as an admin would copy by hand: the product's old flags (--update --use-server-modtime --fast-list, rclone's HEAD after each upload). `fill`: the fastest copy into an empty prefix instead (no HEAD, no look at the destination, 32 transfers), for the re-run at scale. */
function bare(tree: string, name: string, endpoint?: string, fill = false, limitMb = Infinity): Promise<Measured> {
  const { env } = envFor(name, endpoint);
  const target = targetOfText(env);
  const command = copyCommands(
    { kind: "local", root: tree },
    target,
    fill ? { transfers: 32, noHead: true, statsSeconds: 60 } : {},
  )[0]!;
  return measure(
    "rclone",
    fill ? [...command.args, "--no-check-dest", "--fast-list=false"] : command.args,
    rcloneEnvironment({ ...command, env: remoteEnv("DST", target, undefined) }),
    limitMb,
  );
}

beforeAll(async () => {
  if (!process.env.MIGRATE_BENCH) return;
  servers = serversFromEnv();
  bucket = uniqueBucket("bench");
  // The product's runs end with fetches through the media host: each of its key prefixes public like an instance's.
  const readable = [
    `${PREFIX}/count-product`,
    ...(RERUN_AT ? [`${PREFIX}/rerun-${RERUN_AT}`] : []),
    ...SIZES.flatMap((size) =>
      Array.from({ length: ROUNDS }, (_, round) => `${PREFIX}/bench-${size}-product-${round + 1}`),
    ),
  ];
  await createBucket(
    servers.primary,
    bucket,
    {
      Version: "2012-10-17",
      Statement: readable.flatMap((prefix, index) =>
        publicReadPolicy(bucket, { kind: "anonymous" }, prefix).Statement.map((statement) => ({
          ...statement,
          Sid: `${statement.Sid ?? "Read"}${index}`,
        })),
      ),
    },
    [corsRule(["*"])],
  );
  writer = createWriter([servers.primary], "bench");
  await putWriterPolicy(servers.primary, writer, writerPolicy(bucket, PREFIX));
  dir = mkdtempSync(path.join(tmpdir(), "migrate-bench-"));
  directEnv = localEnv(servers.primary, bucket, writer, PREFIX);
}, 300_000);

afterAll(() => {
  servers?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(process.env.MIGRATE_BENCH)("bench: migrate --run against bare rclone at scale", () => {
  it.runIf(SIZES.length > 0)(
    "prints wall time, peak memory and requests per object, first pass and a pass with nothing new, and a projection",
    async () => {
      const rows: string[] = [];
      const results = new Map<
        number,
        { product: Measured[]; bare: Measured[]; productAgain: Measured[]; bareAgain: Measured[] }
      >();
      for (const size of SIZES) {
        const tree = path.join(dir, `tree-${size}`, "public", "system");
        const { bytes } = writeMastodonTree(tree, size);
        rows.push(`tree of ${size} objects, ${(bytes / 1e6).toFixed(0)} MB`);
        const runs = {
          product: [] as Measured[],
          bare: [] as Measured[],
          productAgain: [] as Measured[],
          bareAgain: [] as Measured[],
        };
        for (let round = 1; round <= ROUNDS; round++) {
          const name = (who: string) => `bench-${size}-${who}-${round}`;
          const pair = async (first: boolean) => {
            const order: Array<() => Promise<void>> = [
              async () => void runs.bare.push(await bare(tree, name("bare"))),
              async () => void runs.product.push(await product(tree, name("product"))),
            ];
            for (const step of first ? order : order.reverse()) await step();
          };
          await pair(round % 2 === 1);
          // A pass with nothing new, on the copies just made.
          const again: Array<() => Promise<void>> = [
            async () => void runs.bareAgain.push(await bare(tree, name("bare"))),
            async () => void runs.productAgain.push(await product(tree, name("product"))),
          ];
          for (const step of round % 2 === 1 ? again : again.reverse()) await step();
        }
        for (const run of [...runs.product, ...runs.productAgain])
          expect(run.stdout).toContain("0 missing, 0 different");
        results.set(size, runs);
        console.log(
          `migrate bench, ${size} objects: ${JSON.stringify(Object.fromEntries(Object.entries(runs).map(([who, list]) => [who, list.map((run) => ({ s: run.seconds, node: Math.round(run.nodeMb), rclone: Math.round(run.rcloneMb) }))])))}`,
        );
        const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
        const line = (label: string, runsOf: Measured[]) =>
          `  ${label.padEnd(30)} ${median(runsOf.map((run) => run.seconds))
            .toFixed(1)
            .padStart(7)} s   node ${median(runsOf.map((run) => run.nodeMb))
            .toFixed(0)
            .padStart(5)} MB   rclone ${median(runsOf.map((run) => run.rcloneMb))
            .toFixed(0)
            .padStart(5)} MB`;
        rows.push(
          line("product, first pass + check", runs.product),
          line("bare rclone, first copy", runs.bare),
          `    ratio ${(median(runs.product.map((run) => run.seconds)) / median(runs.bare.map((run) => run.seconds))).toFixed(2)}x (target 1.2x at 20,000)`,
          line("product, nothing new", runs.productAgain),
          line("bare rclone, nothing new", runs.bareAgain),
          `    ratio ${(median(runs.productAgain.map((run) => run.seconds)) / median(runs.bareAgain.map((run) => run.seconds))).toFixed(2)}x (target 3x)`,
        );
      }

      // Requests per object: one untimed first pass and one with nothing new of each, at the smallest size, through a counting front.
      const smallest = SIZES[0]!;
      const tree = path.join(dir, `tree-${smallest}`, "public", "system");
      const counter = await startFront(servers.primary.endpoint);
      try {
        const count = async (run: () => Promise<Measured>) => {
          const before = counter.requests();
          await run();
          return (counter.requests() - before) / smallest;
        };
        const productFirst = await count(() => product(tree, "count-product", counter.url));
        const productAgain = await count(() => product(tree, "count-product", counter.url));
        const bareFirst = await count(() => bare(tree, "count-bare", counter.url));
        const bareAgain = await count(() => bare(tree, "count-bare", counter.url));
        rows.push(
          `requests per object at ${smallest} objects (S3 API and media host): product first pass ${productFirst.toFixed(3)}, nothing new ${productAgain.toFixed(4)}; ` +
            `bare rclone first copy ${bareFirst.toFixed(3)}, nothing new ${bareAgain.toFixed(4)}`,
        );
      } finally {
        await counter.close();
      }

      // Projection: linear in the object count from the two largest sizes measured.
      if (SIZES.length >= 2) {
        const [a, b] = SIZES.slice(-2) as [number, number];
        const peak = (size: number, pick: (run: Measured) => number, which: "product" | "productAgain" | "bare") =>
          Math.max(...results.get(size)![which].map(pick));
        /** `cap`: object counts beyond it cost nothing more (rclone's key lists: KEYS_PER_RCLONE_RUN keys a run). */
        const project = (
          label: string,
          pick: (run: Measured) => number,
          which: "product" | "productAgain" | "bare",
          cap = Infinity,
        ) => {
          const slope = (peak(b, pick, which) - peak(a, pick, which)) / (b - a);
          const at = (n: number) => peak(b, pick, which) + slope * (Math.min(n, cap) - b);
          return `  ${label.padEnd(34)} ${peak(a, pick, which).toFixed(0)} MB at ${a}, ${peak(b, pick, which).toFixed(0)} MB at ${b} (+${((peak(b, pick, which) / peak(a, pick, which) - 1) * 100).toFixed(0)}%): ${(slope * 1e6).toFixed(0)} MB per million -> ${at(1e6).toFixed(0)} MB at 1M, ${at(1e7).toFixed(0)} MB at 10M`;
        };
        rows.push(
          "projection (a straight line through the two largest sizes of this run; MIGRATE_BENCH_RERUN_AT measures a large tree):",
          project("node, product first pass", (run) => run.nodeMb, "product"),
          project("rclone, product first pass", (run) => run.rcloneMb, "product", KEYS_PER_RCLONE_RUN),
          project("node, product nothing new", (run) => run.nodeMb, "productAgain"),
          project("rclone, bare first copy", (run) => run.rcloneMb, "bare"),
        );
      }
      console.log(`migrate bench (${ROUNDS} round${ROUNDS === 1 ? "" : "s"}, medians):\n${rows.join("\n")}`);
    },
    3_600_000,
  );

  it.runIf(RERUN_AT > 0)(
    `a pass with nothing new at ${RERUN_AT} objects: wall time and peak memory`,
    async () => {
      const tree = path.join(dir, `tree-${RERUN_AT}`, "public", "system");
      const started = Date.now();
      const { bytes } = writeMastodonTree(tree, RERUN_AT, { tiny: true });
      const written = Date.now();
      const name = `rerun-${RERUN_AT}`;
      const fill = FILL_BY_PRODUCT ? await product(tree, name) : await bare(tree, name, undefined, true);
      console.log(
        `migrate bench at ${RERUN_AT}: tree written in ${((written - started) / 1000).toFixed(0)} s (${bytes} bytes), ` +
          `filled by ${FILL_BY_PRODUCT ? "migrate's first pass" : "bare rclone"} in ${fill.seconds.toFixed(0)} s ` +
          `(node ${fill.nodeMb.toFixed(0)} MB, rclone ${fill.rcloneMb.toFixed(0)} MB)`,
      );
      if (FILL_BY_PRODUCT) expect(fill.stdout).toContain("0 missing, 0 different");
      const productRuns: Measured[] = [];
      const bareAgain: Measured[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const steps: Array<() => Promise<void>> = [
          async () => void productRuns.push(await product(tree, name)),
          async () => void bareAgain.push(await bare(tree, name, undefined, false, RCLONE_LIMIT_MB)),
        ];
        for (const step of round % 2 === 1 ? steps : steps.reverse()) await step();
        console.log(
          `migrate bench at ${RERUN_AT}, round ${round}: product ${JSON.stringify(productRuns.at(-1)!.seconds)} s node ${productRuns.at(-1)!.nodeMb.toFixed(0)} MB rclone ${productRuns.at(-1)!.rcloneMb.toFixed(0)} MB; ` +
            `bare rclone ${bareAgain.at(-1)!.seconds} s rclone ${bareAgain.at(-1)!.rcloneMb.toFixed(0)} MB` +
            (bareAgain.at(-1)!.stoppedAboveMb ? ` (stopped: past ${RCLONE_LIMIT_MB} MB, not finished)` : ""),
        );
      }
      // What node holds, apart from what its garbage collector lets lie: the same pass with V8's old generation
      // capped at HEAP_CAP_MB (node --max-old-space-size; V8 aborts with "heap out of memory" past it).
      const capped = await product(tree, name, undefined, [`--max-old-space-size=${HEAP_CAP_MB}`]);
      console.log(
        `migrate bench at ${RERUN_AT}: nothing new with node's old generation capped at ${HEAP_CAP_MB} MB: finished in ${capped.seconds} s, node peak ${capped.nodeMb.toFixed(0)} MB`,
      );
      for (const run of [...productRuns, capped]) {
        expect(run.stdout).toContain("0 missing, 0 different");
        expect(run.stdout).toContain(`skipped: ${RERUN_AT.toLocaleString("en-US")} keys`);
      }
      console.log(
        `migrate bench, nothing new at ${RERUN_AT} objects (${ROUNDS} round${ROUNDS === 1 ? "" : "s"}): ` +
          JSON.stringify({
            product: productRuns.map((run) => ({
              s: run.seconds,
              node: Math.round(run.nodeMb),
              rclone: Math.round(run.rcloneMb),
            })),
            bare: bareAgain.map((run) => ({
              s: run.seconds,
              rclone: Math.round(run.rcloneMb),
              ...(run.stoppedAboveMb ? { stoppedAboveMb: run.stoppedAboveMb } : {}),
            })),
          }),
      );
    },
    4 * 3_600_000,
  );
});
