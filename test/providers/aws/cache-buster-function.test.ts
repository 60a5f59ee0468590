import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { CACHE_BUSTER_HEADER } from "../../../components/cache-buster";
import {
  FUNCTION_CODE_MAX_BYTES,
  PURGE_ORIGIN_ID,
  PURGE_PATH_PREFIX,
  viewerRequestFunctionCode,
} from "../../../providers/aws/cache-buster-function";

const SECRET = "Q7mZ0pX3vB9sK2dL5nR8tY1wE4gH6jC0aF3kM5qS7uV9xZ2b";
const KEY = "/media_attachments/files/109/348/795/826/151/409/original/0a1b2c3d4e5f.png";

/**
 * Runs the function as cloudfront-js-2.0 would: its code as written (the `cloudfront` module import on the
 * first line, as the runtime requires), in a context with the ECMAScript built-ins only (no require, process,
 * fetch, timers or network: a function that used them throws here), and `cf` standing in for the runtime's
 * module, recording the origin the function selects. The event has the documented viewer-request shape
 * (CloudFront developer guide, "CloudFront Functions event structure"): lower-case header names, `{ value }`.
 */
function runFunction(code: string, headers: Record<string, { value: string }>, uri = KEY) {
  const [importLine, ...rest] = code.split("\n");
  expect(importLine).toBe("import cf from 'cloudfront';");
  const selected: string[] = [];
  const context = vm.createContext({ cf: { selectRequestOriginById: (id: string) => selected.push(id) } });
  for (const forbidden of ["require", "process", "fetch", "setTimeout", "Buffer", "XMLHttpRequest"]) {
    expect(vm.runInContext(`typeof ${forbidden}`, context)).toBe("undefined");
  }
  vm.runInContext(rest.join("\n"), context, { timeout: 1000 });
  const event = {
    version: "1.0",
    context: {
      distributionDomainName: "d111111abcdef8.cloudfront.net",
      distributionId: "E2QWRUHEXAMPLE",
      eventType: "viewer-request",
      requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
    },
    viewer: { ip: "198.51.100.11" },
    request: {
      method: "GET",
      uri,
      querystring: { v: { value: "1" } } as Record<string, unknown>,
      headers: { host: { value: "files.example.com" }, ...headers } as Record<string, { value: string }>,
      cookies: {},
    },
  };
  const original = structuredClone(event.request);
  const result = (context.handler as (e: typeof event) => typeof event.request)(event);
  return { result, original, selected };
}

describe("the CloudFront Function on the media behaviour (cloudfront-js-2.0)", () => {
  const code = viewerRequestFunctionCode({ header: CACHE_BUSTER_HEADER, secret: SECRET });
  const header = CACHE_BUSTER_HEADER.toLowerCase();

  it("fits CloudFront's 10 KB limit on a function's code", () => {
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(FUNCTION_CODE_MAX_BYTES);
  });

  it("leaves an ordinary media request exactly as it came, on the bucket's origin", () => {
    const { result, original, selected } = runFunction(code, { "user-agent": { value: "Mastodon/4.5" } });
    expect(result).toEqual(original);
    expect(selected).toEqual([]);
  });

  it("leaves a request with a wrong secret (same length, other length, empty) untouched", () => {
    const wrong = [SECRET.replace(/.$/, "X"), SECRET.slice(1), `${SECRET}0`, ""];
    for (const value of wrong) {
      const { result, original, selected } = runFunction(code, { [header]: { value } });
      expect(result).toEqual(original);
      expect(selected).toEqual([]);
    }
  });

  it("sends Mastodon's bust request to the purge handler, under a path no cached copy has, without the secret", () => {
    const { result, selected } = runFunction(code, { [header]: { value: SECRET } });
    expect(selected).toEqual([PURGE_ORIGIN_ID]);
    expect(result.uri).toBe(`${PURGE_PATH_PREFIX}E2QWRUHEXAMPLE${KEY}`);
    expect(result.headers[header]).toBeUndefined();
    expect(result.querystring).toEqual({});
  });

  it("refuses to build code from a header or secret that could break out of its string", () => {
    expect(() => viewerRequestFunctionCode({ header: 'Bad"Header', secret: SECRET })).toThrow();
    expect(() => viewerRequestFunctionCode({ header: CACHE_BUSTER_HEADER, secret: "a';b" })).toThrow();
  });
});
