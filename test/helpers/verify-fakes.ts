import type { S3Client } from "@aws-sdk/client-s3";
import type { CheckContext, CheckIo } from "../../live-checks/check";
import type { HttpRequest, HttpResponse } from "../../live-checks/io/http";
import { ProbeRegistry } from "../../live-checks/probes";
import { AWS_ENV, targetOf } from "./target";
import type { TlsFacts } from "../../live-checks/io/tls";

/** The env the fake contexts start from (test/helpers/target.ts AWS_ENV). */
export const BASE_ENV = AWS_ENV;

export interface Call {
  command: string;
  input: Record<string, unknown>;
}

/** An S3 error the way the SDK throws it. */
export function s3Error(code: string, status: number): Error {
  return Object.assign(new Error(code), { name: code, $metadata: { httpStatusCode: status } });
}

export function response(status: number, body = "", headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: Buffer.from(body) };
}

/**
 * A check context over fake I/O: `s3` answers by command name (an Error is thrown), `http` by "METHOD URL".
 * The fakes record every call so that tests can assert exactly what was sent.
 */
export function context(options: {
  env?: Record<string, string | undefined>;
  s3?: (command: string, input: Record<string, unknown>) => unknown;
  http?: Record<string, HttpResponse>;
  tls?: (host: string) => TlsFacts;
  /** A second client for WHEN_REQUIRED checksums (given the first and the call log). */
  whenRequired?: (s3: S3Client, calls: Call[]) => S3Client;
}) {
  const target = targetOf({ ...BASE_ENV, ...options.env });
  const calls: Call[] = [];
  const requests: string[] = [];
  const s3 = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, "");
      calls.push({ command: name, input: command.input });
      const answer = options.s3?.(name, command.input) ?? {};
      if (answer instanceof Error) throw answer;
      return answer;
    },
    destroy: () => undefined,
  } as unknown as S3Client; // only `send` is used by the checks
  const io: CheckIo = {
    s3,
    ...(options.whenRequired ? { s3WhenRequired: options.whenRequired(s3, calls) } : {}),
    http: async (url: string, request: HttpRequest = {}) => {
      const key = `${request.method ?? "GET"} ${url}`;
      requests.push(key);
      const answer = options.http?.[key];
      if (!answer) throw Object.assign(new Error(`no fake answer for ${key}`), { code: "ECONNREFUSED" });
      return answer;
    },
    tls: async (host: string) => {
      if (!options.tls) throw new Error("no TLS fake");
      return options.tls(host);
    },
  };
  const probes = new ProbeRegistry(target.facts.bucket, target.facts.keyPrefix);
  const ctx: CheckContext = {
    target,
    origin: "https://social.example.com",
    io,
    probes,
    state: {},
    signal: new AbortController().signal,
    redact: (text) => text,
  };
  return { ctx, calls, requests, probes };
}
