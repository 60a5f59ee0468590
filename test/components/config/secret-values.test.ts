import { describe, expect, it } from "vitest";
import { safeParseStackConfig } from "../../../components/config";
import { readProjectConfig } from "../../../components/config/namespaces";
import { formatConfigIssues } from "../../../components/errors";

const PROJECT = "mastodon-media";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----not-a-real-key-0123456789";

const minio = {
  "mastodon-media:provider": "minio",
  "mastodon-media:environment": "test",
  "mastodon-media:webDomain": "social.example.com",
  "mastodon-media:mediaDomain": "files.example.com",
  "mastodon-media:bucket": "mastodon-media",
  "mastodon-media:minio": JSON.stringify({ endpoint: "http://127.0.0.1:9000" }),
};

function rendered(all: Record<string, string>, secret: string[] = []): string {
  const placed = readProjectConfig({ all, isSecret: (key) => secret.includes(key) }, PROJECT);
  const result = safeParseStackConfig(placed.raw, placed);
  if (result.success) throw new Error("expected the config to be rejected");
  return formatConfigIssues(result.issues);
}

describe("config issues never repeat a secret", () => {
  it("names a misspelled secret field of mastodonHost without its value", () => {
    const text = rendered(
      {
        ...minio,
        "mastodon-media:mastodonHost": JSON.stringify({
          host: "social.example.com",
          user: "mastodon",
          privatekey: KEY,
        }),
      },
      ["mastodon-media:mastodonHost"],
    );
    expect(text).toContain("mastodon-media:mastodonHost.privatekey: is not a known key");
    expect(text).not.toContain("not-a-real-key");
  });

  it("hides the value of a secret field that is malformed or set as a flat dotted key", () => {
    const flat = rendered({ ...minio, "mastodon-media:mastodonHost.privateKey": KEY });
    expect(flat).toContain("mastodon-media:mastodonHost.privateKey: is a flat key");
    expect(flat).not.toContain("not-a-real-key");
    const typo = rendered(
      {
        ...minio,
        "mastodon-media:mastodonHost": JSON.stringify({
          host: "social.example.com",
          user: "mastodon",
          privateKey: KEY,
          accessToken: 42,
        }),
      },
      ["mastodon-media:mastodonHost"],
    );
    expect(typo).toContain("mastodon-media:mastodonHost.accessToken");
    expect(typo).not.toContain("not-a-real-key");
    expect(typo).not.toContain("(got 42)");
  });

  it("accepts a secure: mastodonHost (it holds the SSH key) and still refuses secure: on a plain key", () => {
    const placed = readProjectConfig(
      {
        all: {
          ...minio,
          "mastodon-media:mastodonHost": JSON.stringify({
            host: "social.example.com",
            user: "mastodon",
            privateKey: KEY,
          }),
        },
        isSecret: (key) => key === "mastodon-media:mastodonHost",
      },
      PROJECT,
    );
    expect(placed.issues).toEqual([]);
    expect(safeParseStackConfig(placed.raw, placed).success).toBe(true);
    expect(rendered(minio, ["mastodon-media:bucket"])).toContain(
      "mastodon-media:bucket: is encrypted (a secure: value), but it is not a secret",
    );
  });
});
