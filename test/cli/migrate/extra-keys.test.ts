import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deletedMediaAdvice, keepExtraKeys } from "../../../cli/migrate/deleted-media";
import { FIRST_KEYS } from "../../../cli/migrate/extra-keys";
import { planPass, type PassPlan } from "../../../cli/migrate/pass";
import type { VerifyTarget } from "../../../mastodon-env/target";
import { listenOnLoopback, type LoopbackServer } from "../../helpers/loopback-server";
import { loopbackS3Env, targetOf } from "../../helpers/target";

/**
 * Keys Mastodon deleted in the source after an earlier pass copied them (deleted posts, media cleanup,
 * suspensions and takedowns) stay public on the new media host. Was: a pass only counted them ("destination keys
 * not in the source, left alone"). Now the merge streams Mastodon's ones to a file (cli/migrate/extra-keys.ts),
 * the pass keeps it where the admin ran the command and prints how to remove them before the switch
 * (cli/migrate/deleted-media.ts); keys outside Mastodon's prefixes are counted apart, never listed. A real local
 * tree as the source, a loopback server answering ListObjectsV2 (S3 API reference) as the destination.
 */

const PREFIX = "social";
const SOURCE = ["accounts/avatars/000/000/001/original/a.png", "media_attachments/files/000/000/002/original/b.png"];
/** Copied by an earlier pass, since deleted by Mastodon. */
const DELETED = Array.from({ length: 7 }, (_, i) => `media_attachments/files/000/000/1${i}0/original/gone.png`);
const DELETED_AFTER = ["site_uploads/files/000/000/001/original/old.png"];
/** Not Mastodon's: another application's keys under the same prefix. */
const OTHER = ["index.html", "zz-notes/readme.txt", "media_attachments/files/x\ny.png"];
const BODY = "12345";
const WRITER = { id: "AKIAWRITERWRITER0000", secret: "writerSecretWriterSecretWriterSecret0000" };

let root: string;
let work: string;
let server: LoopbackServer;
let destination: VerifyTarget;
let plan: PassPlan;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "extra-keys-src-"));
  work = await mkdtemp(path.join(tmpdir(), "extra-keys-work-"));
  for (const key of SOURCE) {
    await mkdir(path.dirname(path.join(root, key)), { recursive: true });
    await writeFile(path.join(root, key), BODY);
  }
  const listed = [...SOURCE, ...DELETED, ...DELETED_AFTER, ...OTHER].sort();
  server = await listenOnLoopback((request, response) => {
    request.resume();
    const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/\n/g, "&#10;");
    response
      .writeHead(200, { "content-type": "application/xml" })
      .end(
        '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
          `<Name>lab-media</Name><Prefix>${PREFIX}/</Prefix><KeyCount>${listed.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
          listed
            .map((key) => `<Contents><Key>${PREFIX}/${escape(key)}</Key><Size>${BODY.length}</Size></Contents>`)
            .join("") +
          "</ListBucketResult>",
      );
  });
  destination = targetOf(
    loopbackS3Env(server.url, {
      S3_KEY_PREFIX: PREFIX,
      AWS_ACCESS_KEY_ID: WRITER.id,
      AWS_SECRET_ACCESS_KEY: WRITER.secret,
    }),
  );
  plan = await planPass({ kind: "local", root }, destination, {
    workDir: work,
    sink: { tty: false, write: () => undefined },
  });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

const base = () => `http://${destination.facts.endpoint!.replace("http://", "")}/lab-media/social/`;
const mastodonExtras = () => [...DELETED, ...DELETED_AFTER].sort();

describe("the destination's keys not in the source", () => {
  it("are written during the merge, Mastodon's only, one a line, mode 0600; the others counted apart", async () => {
    expect(plan.destination.extra).toBe(DELETED.length + DELETED_AFTER.length + OTHER.length);
    expect(plan.toCopy.objects).toBe(0);
    expect(plan.extraKeys.mastodon).toBe(DELETED.length + DELETED_AFTER.length);
    expect(plan.extraKeys.other).toBe(OTHER.length);
    expect(plan.extraKeys.first).toEqual(mastodonExtras().slice(0, FIRST_KEYS));
    expect(await readFile(plan.extraKeys.file, "utf8")).toBe(mastodonExtras().join("\n") + "\n");
    expect((await stat(plan.extraKeys.file)).mode & 0o777).toBe(0o600);
  });

  it("are kept where the admin ran the command (0600, never over another list) and explained", async () => {
    const now = new Date("2026-12-07T10:11:12.345Z");
    const kept = await keepExtraKeys(plan.extraKeys, destination, work, now);
    expect(kept).toBe(path.join(work, "destination-only-keys-lab-media-20261207T101112Z.txt"));
    expect(await readFile(kept!, "utf8")).toBe(mastodonExtras().join("\n") + "\n");
    expect((await stat(kept!)).mode & 0o777).toBe(0o600);
    await expect(keepExtraKeys(plan.extraKeys, destination, work, now)).rejects.toThrow(/EEXIST/);

    const text = deletedMediaAdvice(plan.extraKeys, kept, destination, "new.env").join("\n");
    expect(text).toContain(`${OTHER.length} destination keys outside Mastodon's prefixes`);
    expect(text).toContain("8 Mastodon keys in the destination are not in the source, left alone:");
    for (const key of mastodonExtras().slice(0, FIRST_KEYS)) expect(text).toContain(`\n  ${key}\n`);
    expect(text).toContain(`... and ${8 - FIRST_KEYS} more`);
    expect(text).toMatch(/Before the switch, these are media Mastodon deleted after an earlier pass copied them/);
    expect(text).toMatch(/suspensions and takedowns/);
    expect(text).toContain(`publicly readable on the new media host until they are removed: ${base()}KEY`);
    expect(text).toContain("After the switch they may be the instance's own new uploads");
    expect(text).toMatch(/so migrate\s+never deletes them/);
    expect(text).toContain(`The list: ${kept}`);
    expect(text).toContain(
      `RCLONE_CONFIG_DST_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_DST_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" env -u AWS_CA_BUNDLE`,
    );
    expect(text).toContain(" RCLONE_CONFIG_DST_TYPE=s3 ");
    expect(text).toContain(`rclone delete dst:lab-media/social/ --files-from-raw ${kept} --config ''`);
    expect(text).toContain(
      `sed 's|^|--url=${base()}|' ${kept} | xargs -d '\\n' -n 100 npm run purge -- --outputs outputs.json`,
    );
    // Credentials as variable names only.
    expect(text).not.toContain(WRITER.secret);
    expect(text).not.toContain(WRITER.id);
    expect(text).not.toContain("RCLONE_CONFIG_DST_ACL");
  });

  it("say nothing when there are none", () => {
    expect(
      deletedMediaAdvice({ file: "x", mastodon: 0, other: 0, first: [] }, undefined, destination, "n.env"),
    ).toEqual([]);
  });
});
