import { describe, expect, it } from "vitest";
import { privateKeysExpression } from "../../providers/cloudflare/guard-expression";

describe("privateKeysExpression", () => {
  it("blocks backups/ and imports/ on the media host, on the normalized and on the decoded path", () => {
    expect(privateKeysExpression("files.example.com")).toBe(
      '(lower(http.host) eq "files.example.com" and (' +
        'starts_with(http.request.uri.path, "/backups/") or starts_with(http.request.uri.path, "/imports/") or ' +
        'starts_with(url_decode(http.request.uri.path), "/backups/") or starts_with(url_decode(http.request.uri.path), "/imports/")))',
    );
  });

  it("guards the private prefixes under S3_KEY_PREFIX when one is set", () => {
    const expression = privateKeysExpression("files.example.com", "social/one");
    expect(expression).toContain('starts_with(http.request.uri.path, "/social/one/backups/")');
    expect(expression).toContain('starts_with(url_decode(http.request.uri.path), "/social/one/imports/")');
    expect(expression).not.toContain('"/backups/"');
  });

  it("never matches a public prefix", () => {
    const expression = privateKeysExpression("files.example.com");
    for (const prefix of ["media_attachments/", "accounts/", "custom_emojis/", "site_uploads/", "preview_card_providers/", "cache/"]) {
      expect(expression).not.toContain(prefix);
    }
  });
});
