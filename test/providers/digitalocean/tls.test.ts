import { describe, expect, it } from "vitest";
import { parseStackConfig, type DigitalOceanStackConfig } from "../../../components/config";
import { mediaDomainTls } from "../../../providers/digitalocean/tls";

function stack(
  overrides: Record<string, unknown>,
  digitalocean: Record<string, unknown> = {},
): DigitalOceanStackConfig {
  return parseStackConfig({
    provider: "digitalocean",
    webDomain: "social.example.com",
    bucket: "example-social-media",
    digitalocean: { region: "fra1", ...digitalocean },
    ...overrides,
  }) as DigitalOceanStackConfig;
}

describe("mediaDomainTls", () => {
  it("serves from the CDN endpoint when there is no media domain", () => {
    expect(mediaDomainTls(stack({}))).toEqual({ kind: "cdn-endpoint" });
  });

  it("issues a Let's Encrypt certificate for the media domain when asked to", () => {
    expect(
      mediaDomainTls(stack({ mediaDomain: "files.example.com" }, { certificate: { type: "lets_encrypt" } })),
    ).toEqual({
      kind: "lets_encrypt",
      domain: "files.example.com",
    });
  });

  it("uses an uploaded certificate by its name", () => {
    const config = stack(
      { mediaDomain: "files.example.com" },
      { certificate: { type: "existing", name: "files-example-com-2025" } },
    );
    expect(mediaDomainTls(config)).toEqual({
      kind: "existing",
      domain: "files.example.com",
      certificateName: "files-example-com-2025",
    });
  });

  it("treats a media domain without a certificate as a bug, since the schema rejects it", () => {
    const config = { ...stack({}), mediaDomain: "files.example.com" };
    expect(() => mediaDomainTls(config)).toThrow("mediaDomainTls: a media domain needs digitalocean.certificate");
  });
});
