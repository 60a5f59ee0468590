import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../offline-plan/run";

/**
 * Debian's nginx on loopback for the e2e tests (test/e2e/migrate-nginx.test.ts, minio-nginx-resolver.test.ts,
 * nginx-cache.ts): install it, write a whole nginx.conf around the server blocks under test, check it with
 * `nginx -t`, start it in the foreground with a prefix folder and wait for its ports, stop it. Everything nginx
 * writes (pid, logs, temporary files) stays in that folder, so that several tests and helpers run side by side.
 */

/** Debian's nginx binary (package nginx, installed by scripts/debian-tool.sh). */
export const NGINX = "/usr/sbin/nginx";

/** Installs Debian's nginx when missing (scripts/debian-tool.sh nginx; root or sudo); the caller checks `status`. */
export function installNginx(): SpawnSyncReturns<Buffer> {
  return spawnSync("bash", [path.join(PROJECT_ROOT, "scripts/debian-tool.sh"), "nginx"], { stdio: "inherit" });
}

/** A loopback TCP port that was free a moment ago (the system's pick for port 0), for a server to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * A whole nginx.conf around `servers` (server blocks, or anything valid in the `http` context): one worker, in the
 * foreground (`daemon off`), its pid, logs and temporary paths inside `dir`. Run as root, the workers run as root
 * too (`user root`), so that the files they write (a media cache) need no change of the folder's owner.
 */
export function nginxConfig(dir: string, servers: readonly string[]): string {
  return [
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    "worker_processes 1;",
    "daemon off;",
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    "events { worker_connections 64; }",
    "http {",
    `  access_log ${dir}/access.log;`,
    `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
    ...servers,
    "}",
    "",
  ].join("\n");
}

/** `nginx -t` of the configuration `file`, with `dir` as nginx's prefix; `status` 0 when it loads, else `stderr` says why. */
export function nginxTest(dir: string, file: string): SpawnSyncReturns<string> {
  return spawnSync(NGINX, ["-t", "-p", dir, "-c", file], { encoding: "utf8" });
}

export interface RunningNginx {
  /** Sends SIGTERM (nginx's fast shutdown); the caller removes the prefix folder. */
  stop(): void;
}

/**
 * Starts nginx with the configuration `file` and `dir` as its prefix, and resolves once every one of `ports`
 * accepts a connection on 127.0.0.1. Throws, naming `dir`/error.log, when a port is still closed after 100
 * attempts 50 ms apart (about 5 s; nginx starts in milliseconds, the margin is for a loaded machine).
 */
export async function startNginx(dir: string, file: string, ports: readonly number[]): Promise<RunningNginx> {
  const nginx = spawn(NGINX, ["-p", dir, "-c", file], { stdio: "ignore" });
  const running = { stop: () => void nginx.kill("SIGTERM") };
  try {
    for (const port of ports) await waitForPort(port, dir);
  } catch (error) {
    running.stop();
    throw error;
  }
  return running;
}

async function waitForPort(port: number, dir: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}: see ${dir}/error.log`);
}
