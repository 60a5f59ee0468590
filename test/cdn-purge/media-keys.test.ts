import { describe, expect, it } from "vitest";
import { accountFolders, attachmentFolders, idPartition, isRecordId, keyTarget } from "../../cdn-purge/media-keys";

describe("Mastodon's key layout (config/initializers/paperclip.rb, kt-paperclip's :id_partition)", () => {
  it("partitions ids as kt-paperclip does: 9 digits below 10^9, else 12, groups of three, a remainder dropped", () => {
    expect(idPartition("1234")).toBe("000/001/234");
    expect(idPartition("999999999")).toBe("999/999/999");
    expect(idPartition("1000000000")).toBe("001/000/000/000");
    expect(idPartition("110123456789012345")).toBe("110/123/456/789/012/345");
    // 13 digits: "%012d" keeps all 13, scan(/\d{3}/) drops the last one.
    expect(idPartition("1234567890123")).toBe("123/456/789/012");
  });

  it("names every folder of a media attachment and of an account, local and cached remote, under S3_KEY_PREFIX", () => {
    expect(attachmentFolders("1", "mastodon").map((t) => t.key)).toEqual([
      "mastodon/media_attachments/files/000/000/001/",
      "mastodon/media_attachments/thumbnails/000/000/001/",
      "mastodon/cache/media_attachments/files/000/000/001/",
      "mastodon/cache/media_attachments/thumbnails/000/000/001/",
    ]);
    expect(accountFolders("1").map((t) => t.key)).toEqual([
      "accounts/avatars/000/000/001/",
      "accounts/headers/000/000/001/",
      "cache/accounts/avatars/000/000/001/",
      "cache/accounts/headers/000/000/001/",
    ]);
  });

  it("finds an attachment file's folder (every style) and leaves other keys exact", () => {
    expect(keyTarget("cache/media_attachments/files/110/123/456/789/012/345/small/abc.png")).toEqual({
      kind: "file",
      key: "cache/media_attachments/files/110/123/456/789/012/345/small/abc.png",
      attachmentFolder: "cache/media_attachments/files/110/123/456/789/012/345/",
    });
    expect(keyTarget("accounts/avatars/000/000/001/original/a.png")).toEqual({
      kind: "file",
      key: "accounts/avatars/000/000/001/original/a.png",
    });
  });

  it("accepts only ids PostgreSQL's bigint can hold", () => {
    expect(["1", "9223372036854775807", "0", "9223372036854775808", "-1", "1e5", ""].map(isRecordId)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
