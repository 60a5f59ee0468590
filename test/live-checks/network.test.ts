import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../helpers/tls";
import { describeResponse, httpRequest, MAX_BODY_BYTES } from "../../live-checks/io/http";
import { unreachable } from "../../live-checks/reachability";
import { tlsHandshake } from "../../live-checks/io/tls";

/** Small servers on loopback, each answering one way. */
let plain: http.Server;
let secure: https.Server;
let plainUrl: string;
let securePort: number;
let certDir: string;

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  plain = http.createServer((req, res) => {
    if (req.url === "/redirect") return void res.writeHead(301, { location: "https://elsewhere.example/" }).end();
    if (req.url === "/big") return void res.end(Buffer.alloc(MAX_BODY_BYTES + 4096, 97));
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      res.writeHead(403, { "content-type": "application/xml", "x-seen-origin": req.headers.origin ?? "" });
      res.end(`<Error><Code>AccessDenied</Code><Method>${req.method}</Method><Body>${body}</Body></Error>`);
    });
  });
  plainUrl = `http://127.0.0.1:${await listen(plain)}`;

  // A self-signed certificate, as a misconfigured media host would serve it.
  certDir = mkdtempSync(path.join(tmpdir(), "verify-tls-"));
  selfSignedCertificate(certDir, { commonName: "localhost", days: 2 });
  secure = https.createServer(
    { key: readFileSync(path.join(certDir, "key.pem")), cert: readFileSync(path.join(certDir, "cert.pem")) },
    (_req, res) => res.end("ok"),
  );
  securePort = await listen(secure);
});

afterAll(() => {
  plain?.close();
  secure?.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe("httpRequest", () => {
  it("sends the method, headers and body anonymously and returns status, lower-case headers and body", async () => {
    const answer = await httpRequest(`${plainUrl}/k`, {
      method: "PUT",
      headers: { Origin: "https://social.example.com" },
      body: "probe",
    });
    expect(answer.status).toBe(403);
    expect(answer.headers["x-seen-origin"]).toBe("https://social.example.com");
    expect(answer.body.toString()).toBe(
      "<Error><Code>AccessDenied</Code><Method>PUT</Method><Body>probe</Body></Error>",
    );
    expect(describeResponse(answer)).toBe("403 AccessDenied");
  });

  it("does not follow redirects, and keeps at most MAX_BODY_BYTES of a body", async () => {
    const redirect = await httpRequest(`${plainUrl}/redirect`);
    expect([redirect.status, redirect.headers.location]).toEqual([301, "https://elsewhere.example/"]);
    expect((await httpRequest(`${plainUrl}/big`)).body.length).toBe(MAX_BODY_BYTES);
  });
});

describe("tlsHandshake", () => {
  it("rejects a self-signed certificate with Node's error code", async () => {
    await expect(tlsHandshake("localhost", securePort)).rejects.toMatchObject({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
  });

  it("rejects a server that does not speak TLS", async () => {
    const port = Number(new URL(plainUrl).port);
    await expect(tlsHandshake("127.0.0.1", port)).rejects.toMatchObject({
      code: expect.stringMatching(/^(EPROTO|ERR_SSL_WRONG_VERSION_NUMBER|ECONNRESET)$/),
    });
  });
});

describe("unreachable", () => {
  it("is silent for a host that accepts connections", async () => {
    expect(await unreachable({ variable: "S3_ENDPOINT", url: new URL(plainUrl) })).toBeUndefined();
  });

  it("names the variable, the host and the refusal", async () => {
    expect(await unreachable({ variable: "S3_ENDPOINT", url: new URL("http://127.0.0.1:1") })).toBe(
      "S3_ENDPOINT (127.0.0.1:1) is unreachable: connection refused (nothing listens on port 1): correct S3_ENDPOINT or start the server",
    );
  });

  it("names a host that does not resolve", async () => {
    expect(await unreachable({ variable: "S3_ALIAS_HOST", url: new URL("https://files.invalid") })).toMatch(
      /^S3_ALIAS_HOST \(files\.invalid\) does not resolve \((ENOTFOUND|EAI_AGAIN)\): create its DNS record or correct S3_ALIAS_HOST$/,
    );
  });
});
