import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sshHostKey } from "../../components/config/ssh-host-key";
import { startSshd, type LocalSshd } from "./sshd";

const run = promisify(execFile);

/**
 * Why `mastodonHost.hostKey` refuses RSA keys, shown on Debian's real OpenSSH server (9.2): @pulumi/command pins
 * the handshake to the host key's type, `ssh-rsa` for an RSA key, i.e. SHA-1 signatures
 * (components/config/ssh-host-key.ts). The real OpenSSH client, limited the same way, cannot connect; the
 * rsa-sha2 signatures could, but @pulumi/command never offers them. The key lines come from ssh-keyscan.
 */
let rsa: LocalSshd;
let ed25519: LocalSshd;

beforeAll(async () => {
  [rsa, ed25519] = await Promise.all([startSshd({ hostKeyType: "rsa" }), startSshd()]);
});
afterAll(async () => Promise.all([rsa?.stop(), ed25519?.stop()]));

/** One SSH exec with the host key algorithms limited to `algorithms`, as @pulumi/command's client does. */
async function connect(server: LocalSshd, algorithms: string): Promise<{ ok: boolean; stderr: string }> {
  const args = [
    "-F",
    "/dev/null",
    "-i",
    path.join(server.dir, "client_key"),
    "-p",
    String(server.port),
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
  ];
  args.push(
    "-o",
    `UserKnownHostsFile=${path.join(server.dir, "known_hosts")}`,
    "-o",
    `HostKeyAlgorithms=${algorithms}`,
    `${server.user}@127.0.0.1`,
    "true",
  );
  try {
    await run("ssh", args);
    return { ok: true, stderr: "" };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: string }).stderr) };
  }
}

async function keyscan(server: LocalSshd, type: string): Promise<string> {
  const { stdout } = await run("ssh-keyscan", ["-p", String(server.port), "-t", type, "127.0.0.1"]);
  return stdout.trim().split(" ").slice(1).join(" ");
}

describe("the SSH host key types the delivery accepts, against a real OpenSSH server", () => {
  it("OpenSSH refuses the ssh-rsa (SHA-1) signature an RSA host key pins the client to, and the config refuses the key", async () => {
    const sha1 = await connect(rsa, "ssh-rsa");
    expect(sha1.ok).toBe(false);
    expect(sha1.stderr).toMatch(/no matching host key type found/);
    // The same key works with SHA-2 signatures, which @pulumi/command does not offer.
    expect((await connect(rsa, "rsa-sha2-512,rsa-sha2-256")).ok).toBe(true);

    const line = await keyscan(rsa, "rsa");
    expect(line).toMatch(/^ssh-rsa AAAA/);
    for (const spelling of [line, line.replace(/^ssh-rsa/, "rsa-sha2-256"), line.replace(/^ssh-rsa/, "rsa-sha2-512")]) {
      const parsed = sshHostKey.safeParse(spelling);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(
        /^is an RSA host key: .* OpenSSH 8\.8\+ servers refuse\. Use the host's ed25519 key: ssh-keyscan -t ed25519 HOST/,
      );
    }
  });

  it("accepts the ed25519 key ssh-keyscan prints, which the pinned handshake can use", async () => {
    const line = await keyscan(ed25519, "ed25519");
    expect(sshHostKey.safeParse(line).success).toBe(true);
    expect((await connect(ed25519, "ssh-ed25519")).ok).toBe(true);
  });
});
