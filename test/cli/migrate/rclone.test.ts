import { describe, expect, it } from "vitest";
import { withFront } from "../../../cli/migrate/copy";
import { copyCommands, describeCommand, MASTODON_CACHE_CONTROL, PLANNED_FRONT } from "../../../cli/migrate/rclone";
import { oldHostRedirectRules, previousMediaBase } from "../../../cli/migrate/redirects";
import { expectedContentType } from "../../../cli/migrate/content-type";
import type { VerifyTarget } from "../../../mastodon-env/target";
import { targetOf } from "../../helpers/target";

const SECRET = "newWriterSecretThatMustStayOutOfArgv000000";

const DESTINATION_ENV = {
  S3_ENABLED: "true",
  S3_BUCKET: "example-social-media",
  S3_REGION: "fra1",
  S3_ENDPOINT: "https://fra1.digitaloceanspaces.com",
  S3_HOSTNAME: "fra1.digitaloceanspaces.com",
  S3_ALIAS_HOST: "files.example.com",
  S3_PERMISSION: "",
  AWS_ACCESS_KEY_ID: "DO00NEWWRITERKEYID00",
  AWS_SECRET_ACCESS_KEY: SECRET,
};
const target = (extra: Record<string, string | undefined> = {}): VerifyTarget =>
  targetOf({ ...DESTINATION_ENV, ...extra });

describe("copyCommands", () => {
  it("keeps the credentials in the environment: argv holds neither the key id nor the secret", () => {
    const [command] = copyCommands({ kind: "local", root: "/srv/system/" }, target({ S3_PERMISSION: "public-read" }));
    expect(command!.args.join(" ")).not.toContain(SECRET);
    expect(command!.args.join(" ")).not.toContain("DO00NEWWRITERKEYID00");
    expect(command!.env.RCLONE_CONFIG_DST_SECRET_ACCESS_KEY).toBe(SECRET);
    expect(command!.secretEnv.sort()).toEqual([
      "RCLONE_CONFIG_DST_ACCESS_KEY_ID",
      "RCLONE_CONFIG_DST_SECRET_ACCESS_KEY",
    ]);
    expect(describeCommand(command!)).not.toContain(SECRET);
    expect(command!.aclFront).toBeUndefined();
  });

  it("follows a local source's symbolic links as the walk does (--copy-links), never for a bucket source", () => {
    // Was: rclone's local backend skipped links (rclone docs, Local Filesystem, "Symbolic links"), so a
    // `cache -> /mnt/big/cache` link was neither listed nor copied.
    for (const command of copyCommands(
      { kind: "local", root: "/srv/system" },
      target({ S3_PERMISSION: "public-read" }),
    ))
      expect(command.args).toContain("--copy-links");
    expect(copyCommands({ kind: "local", root: "/srv/system" }, target())[0]!.args).toContain("--copy-links");
    const bucket = { kind: "s3", target: target({ S3_BUCKET: "old-media" }) } as const;
    for (const command of copyCommands(bucket, target())) expect(command.args.join(" ")).not.toMatch(/links|-L\b/);
  });

  it("leaves out rclone's HEAD after each upload only when migrate checks every key itself", () => {
    const source = { kind: "local", root: "/srv/system/" } as const;
    expect(copyCommands(source, target())[0]!.args).not.toContain("--s3-no-head");
    expect(copyCommands(source, target(), { noHead: true })[0]!.args).toContain("--s3-no-head");
  });

  it("in no-ACL mode points rclone at the local ACL-dropping front, without the target's credentials", () => {
    const [command, ...rest] = copyCommands({ kind: "local", root: "/srv/system/" }, target());
    expect(rest).toEqual([]);
    expect(command!.aclFront?.facts.bucket).toBe("example-social-media");
    const values = Object.values(command!.env).join(" ");
    expect(values).not.toContain(SECRET);
    expect(values).not.toContain("DO00NEWWRITERKEYID00");
    expect(command!.env).toMatchObject({
      RCLONE_CONFIG_DST_ENDPOINT: PLANNED_FRONT.endpoint,
      RCLONE_CONFIG_DST_FORCE_PATH_STYLE: "true",
      // rclone addresses DigitalOcean virtual-host style whatever force_path_style says (cli/migrate/front-provider.ts).
      RCLONE_CONFIG_DST_PROVIDER: "Other",
      RCLONE_CONFIG_DST_LIST_VERSION: "2",
      RCLONE_CONFIG_DST_REGION: "fra1",
    });
    expect(describeCommand(command!)).toContain("RCLONE_CONFIG_DST_ENDPOINT=http://127.0.0.1:PORT");
    expect(describeCommand(command!)).not.toContain("<per-run");
    // A started front replaces the planned endpoint and key with its own (copy.ts, withFront).
    const front = {
      endpoint: "http://127.0.0.1:40123",
      accessKeyId: "MIGRATEFRONTAB",
      secretAccessKey: "per-run",
      stats: { forwarded: 0, aclHeadersDropped: 0, refused: 0 },
      close: async () => {},
    };
    expect(withFront(command!, front).env).toMatchObject({
      RCLONE_CONFIG_DST_ENDPOINT: "http://127.0.0.1:40123",
      RCLONE_CONFIG_DST_ACCESS_KEY_ID: "MIGRATEFRONTAB",
      RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: "per-run",
    });
  });

  it("copies into the same keys under S3_KEY_PREFIX, with Mastodon's Cache-Control, incrementally", () => {
    const [command] = copyCommands({ kind: "local", root: "/srv/system/" }, target({ S3_KEY_PREFIX: "social" }));
    expect(command!.args.slice(0, 3)).toEqual(["copy", "/srv/system", "dst:example-social-media/social/"]);
    expect(command!.args).toEqual(
      expect.arrayContaining([
        "--header-upload",
        `Cache-Control: ${MASTODON_CACHE_CONTROL}`,
        "--update",
        "--use-server-modtime",
      ]),
    );
    expect(command!.env.RCLONE_CONFIG_DST_NO_CHECK_BUCKET).toBe("true");
    expect(command!.env.RCLONE_CONFIG_DST_FORCE_PATH_STYLE).toBe("true");
  });

  it("gives rclone the ACL that grants nothing beyond the owner in no-ACL mode (rclone 1.60 always sends one; the front drops it)", () => {
    const commands = copyCommands({ kind: "local", root: "/srv/system" }, target());
    expect(commands.map((command) => command.env.RCLONE_CONFIG_DST_ACL)).toEqual(["private"]);
  });

  it("sends bucket-owner-full-control to AWS in no-ACL mode, the one ACL a bucket with ACLs disabled accepts", () => {
    const aws = target({
      S3_ENDPOINT: undefined,
      S3_HOSTNAME: "s3.eu-central-1.amazonaws.com",
      S3_REGION: "eu-central-1",
    });
    expect(copyCommands({ kind: "local", root: "/srv/system" }, aws)[0]!.env.RCLONE_CONFIG_DST_ACL).toBe(
      "bucket-owner-full-control",
    );
  });

  it("sends the canned ACL in ACL mode, and private for user archives, in two passes", () => {
    const commands = copyCommands({ kind: "local", root: "/srv/system" }, target({ S3_PERMISSION: "public-read" }));
    expect(commands.map((command) => [command.label, command.env.RCLONE_CONFIG_DST_ACL])).toEqual([
      ["media", "public-read"],
      ["private archives", "private"],
    ]);
    expect(commands[0]!.args).toEqual(expect.arrayContaining(["--exclude", "/backups/**", "--exclude", "/imports/**"]));
    expect(commands[1]!.args).toEqual(expect.arrayContaining(["--include", "/backups/**", "--include", "/imports/**"]));
  });

  it("given the keys to copy, rclone lists nothing: --files-from-raw, no traversal or check of the destination, no --fast-list", () => {
    const [noAcl] = copyCommands({ kind: "local", root: "/srv/system" }, target(), {
      filesFrom: { media: "/tmp/m", private: "/tmp/p" },
    });
    expect(noAcl!.args).toEqual(
      expect.arrayContaining(["--files-from-raw", "/tmp/m", "--no-traverse", "--no-check-dest"]),
    );
    for (const flag of ["--fast-list", "--update", "--use-server-modtime", "--exclude", "--include"])
      expect(noAcl!.args).not.toContain(flag);
    const acl = copyCommands({ kind: "local", root: "/srv/system" }, target({ S3_PERMISSION: "public-read" }), {
      filesFrom: { media: "/tmp/m", private: "/tmp/p" },
    });
    expect(
      acl.map((command) => [
        command.label,
        command.env.RCLONE_CONFIG_DST_ACL,
        command.args[command.args.indexOf("--files-from-raw") + 1],
      ]),
    ).toEqual([
      ["media", "public-read", "/tmp/m"],
      ["private", "private", "/tmp/p"],
    ]);
  });

  it("an absent S3_PERMISSION means Mastodon's default public-read", () => {
    const values = target();
    const withDefault = targetOf({
      S3_ENABLED: "true",
      S3_BUCKET: "b",
      S3_REGION: "fra1",
      S3_HOSTNAME: "fra1.digitaloceanspaces.com",
      AWS_ACCESS_KEY_ID: "k",
      AWS_SECRET_ACCESS_KEY: "s",
    });
    expect(values.uploadAcl).toBeUndefined();
    expect(copyCommands({ kind: "local", root: "/x" }, withDefault)[0]!.env.RCLONE_CONFIG_DST_ACL).toBe("public-read");
  });
});

describe("previousMediaBase", () => {
  it("keeps the old key prefix, so that the stack's redirect maps old/social/KEY to NEW/KEY", () => {
    expect(previousMediaBase("https://media.example.net/social/")).toBe("media.example.net/social");
    expect(previousMediaBase("https://media.example.net/a/b/")).toBe("media.example.net/a/b");
    expect(previousMediaBase("https://media.example.net/")).toBe("media.example.net");
  });
});

describe("oldHostRedirectRules", () => {
  it("says a provider's API host cannot redirect, so the old objects must stay", () => {
    const rules = oldHostRedirectRules("https://nyc3.digitaloceanspaces.com/old-bucket/", "https://files.example.com/");
    expect(rules.redirectable).toBe(false);
    expect(rules.text).toContain("cannot be told to redirect");
  });

  it("gives nginx, Cloudflare and CloudFront rules for an alias host", () => {
    const rules = oldHostRedirectRules("https://media.example.net/", "https://files.example.com/social/");
    expect(rules.redirectable).toBe(true);
    expect(rules.text).toContain("server_name media.example.net;");
    expect(rules.text).toContain('"https://files.example.com/social/${1}"');
    expect(rules.text).toContain("r.uri.substring(1)");
  });
});

describe("expectedContentType", () => {
  it.each([
    ["media_attachments/files/111/222/333/original/x.jpg", "image/jpeg"],
    ["accounts/avatars/000/000/001/original/A.PNG", "image/png"],
    ["media_attachments/files/1/original/v.mp4", "video/mp4"],
    ["backups/dump/archive.zip", "application/zip"],
    ["odd/no-extension", undefined],
  ])("%s is %s", (key, type) => {
    expect(expectedContentType(key)).toBe(type);
  });
});
