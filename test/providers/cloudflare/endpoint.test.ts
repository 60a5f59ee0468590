import { describe, expect, it } from "vitest";
import { r2ApiHost, r2Endpoint } from "../../../providers/cloudflare/endpoint";

const ACCOUNT = "0123456789abcdef0123456789abcdef";

describe("r2Endpoint", () => {
  it("uses the account host for buckets without a jurisdiction", () => {
    expect(r2Endpoint(ACCOUNT, "default")).toBe("https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com");
  });

  it("puts the jurisdiction between the account and r2 for EU and FedRAMP buckets", () => {
    expect(r2Endpoint(ACCOUNT, "eu")).toBe("https://0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com");
    expect(r2Endpoint(ACCOUNT, "fedramp")).toBe(
      "https://0123456789abcdef0123456789abcdef.fedramp.r2.cloudflarestorage.com",
    );
  });
});

describe("r2ApiHost", () => {
  it("is the endpoint without its scheme", () => {
    for (const jurisdiction of ["default", "eu", "fedramp"] as const) {
      expect(`https://${r2ApiHost(ACCOUNT, jurisdiction)}`).toBe(r2Endpoint(ACCOUNT, jurisdiction));
    }
  });
});
