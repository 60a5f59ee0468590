import * as tls from "node:tls";

/** What the TLS handshake with a host showed, after Node verified the chain and the host name. */
export interface TlsFacts {
  protocol: string;
  subject: string;
  issuer: string;
  validTo: Date;
  daysLeft: number;
}

/** Browsers refuse anything older; every provider here serves TLS 1.2 or 1.3. */
export const MIN_TLS_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;

/** Completes a verified handshake (system CAs, host name check, SNI) or rejects with Node's error code. */
export function tlsHandshake(host: string, port: number, signal?: AbortSignal, timeoutMs = 10_000): Promise<TlsFacts> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername: isIp(host) ? undefined : host, rejectUnauthorized: true });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    const onAbort = () => fail(Object.assign(new Error("aborted"), { code: "ABORT_ERR" }));
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.setTimeout(timeoutMs, () =>
      fail(Object.assign(new Error(`no TLS answer from ${host}`), { code: "ETIMEDOUT" })),
    );
    socket.once("error", fail);
    socket.once("secureConnect", () => {
      signal?.removeEventListener("abort", onAbort);
      const certificate = socket.getPeerCertificate();
      const validTo = new Date(certificate.valid_to);
      resolve({
        protocol: socket.getProtocol() ?? "unknown",
        // A certificate subject may carry several CNs (@types/node 22: string | string[]).
        subject: [certificate.subject?.CN ?? ""].flat().join(", "),
        issuer: [certificate.issuer?.O, certificate.issuer?.CN].filter(Boolean).join(" "),
        validTo,
        daysLeft: Math.floor((validTo.getTime() - Date.now()) / 86_400_000),
      });
      socket.end();
    });
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

/** The DNS names of the certificate a TLS error carries (Node: `error.cert.subjectaltname`, else `error.reason`). */
export function certificateNames(error: unknown): string | undefined {
  const e = error as { cert?: { subjectaltname?: unknown }; reason?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== "object") return undefined;
  if (typeof e.cert?.subjectaltname === "string") return e.cert.subjectaltname;
  if (typeof e.reason === "string" && /altnames/.test(e.reason)) return e.reason.replace(/^.*altnames:\s*/, "");
  return e.cause ? certificateNames(e.cause) : undefined;
}
