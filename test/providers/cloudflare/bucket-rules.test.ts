import { describe, expect, it } from "vitest";
import { corsRule } from "../../../components/cors";
import { abortIncompleteMultipartRule, r2CorsRule } from "../../../providers/cloudflare/bucket-rules";

describe("r2CorsRule", () => {
  it("maps the core's rule onto R2's allowed/expose shape", () => {
    expect(r2CorsRule(corsRule(["https://social.example.com", "https://elk.example.net"]))).toEqual({
      allowed: {
        methods: ["GET", "HEAD"],
        origins: ["https://social.example.com", "https://elk.example.net"],
        headers: ["*"],
      },
      exposeHeaders: ["ETag"],
      maxAgeSeconds: 3000,
    });
  });
});

describe("abortIncompleteMultipartRule", () => {
  it("aborts uploads of every key after seven days, counted in seconds", () => {
    expect(abortIncompleteMultipartRule()).toEqual({
      id: "abort-incomplete-multipart-uploads",
      enabled: true,
      conditions: { prefix: "" },
      abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 604800 } },
    });
  });
});
