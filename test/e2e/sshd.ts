import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** A real OpenSSH server on a free loopback port, with a throwaway host key and one authorized client key. */
export interface LocalSshd {
  dir: string;
  port: number;
  user: string;
  /** Runs `command` over SSH with `stdin`, as @pulumi/command's remote.Command does (one exec session). */
  run(command: string, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** What sshd logged (-e): to show that nothing secret crossed in a command line. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sshd did not listen on ${port}`);
}

export interface SshdOptions {
  /**
   * Directories put first on the PATH of every session (sshd_config SetEnv, OpenSSH 8.7+), e.g. one holding a
   * stand-in `docker`: the remote programs the delivery calls, on a host this test cannot install them on.
   */
  pathPrefix?: string[];
  /** The host key type (ssh-keygen -t), default ed25519. */
  hostKeyType?: "ed25519" | "rsa" | "ecdsa";
}

/** Installs Debian's openssh-server when missing (scripts/sshd.sh), then starts sshd as the current user. */
export async function startSshd(options: SshdOptions = {}): Promise<LocalSshd> {
  execFileSync("bash", [path.join(ROOT, "scripts/sshd.sh"), "install"], { stdio: ["ignore", "inherit", "inherit"] });
  const dir = mkdtempSync(path.join(tmpdir(), "mastodon-media-sshd-"));
  const key = (name: string, type: string) =>
    execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", name, "-f", path.join(dir, name)]);
  key("host_key", options.hostKeyType ?? "ed25519");
  key("client_key", "ed25519");
  writeFileSync(path.join(dir, "authorized_keys"), readFileSync(path.join(dir, "client_key.pub")));
  const port = await freePort();
  const user = userInfo().username;
  writeFileSync(
    path.join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${path.join(dir, "host_key")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "UsePAM no",
      `AllowUsers ${user}`,
      "LogLevel VERBOSE",
      ...(options.pathPrefix?.length
        ? [`SetEnv PATH=${[...options.pathPrefix, "/usr/local/bin", "/usr/bin", "/bin"].join(":")}`]
        : []),
      "",
    ].join("\n"),
  );
  const hostKey = readFileSync(path.join(dir, "host_key.pub"), "utf8").split(" ").slice(0, 2).join(" ");
  writeFileSync(path.join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`);
  // The privilege separation directory Debian's sshd requires (created by its service unit otherwise).
  mkdirSync("/run/sshd", { recursive: true });
  let log = "";
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", path.join(dir, "sshd_config")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  try {
    await waitForPort(port, child, Date.now() + 10_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return {
    dir,
    port,
    user,
    log: () => log,
    run: (command, stdin) =>
      new Promise((resolve, reject) => {
        const ssh = spawn(
          "ssh",
          [
            "-F",
            "/dev/null",
            "-i",
            path.join(dir, "client_key"),
            "-p",
            String(port),
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            `UserKnownHostsFile=${path.join(dir, "known_hosts")}`,
            `${user}@127.0.0.1`,
            command,
          ],
          { stdio: ["pipe", "pipe", "pipe"] },
        );
        let stdout = "";
        let stderr = "";
        ssh.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        ssh.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        ssh.on("error", reject);
        ssh.on("close", (code) => resolve({ code, stdout, stderr }));
        ssh.stdin.end(stdin);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("close", () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
