import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { aclNotPermitted, inObjectAclMode } from "../../live-checks/acl-mode";
import { CHECKS } from "../../live-checks/registry";
import { objectAcls } from "../../live-checks/checks/object-acls";
import { privatePrefixes } from "../../live-checks/checks/private-prefixes";
import { publicRead } from "../../live-checks/checks/public-read";
import { writerUpload } from "../../live-checks/checks/writer-upload";
import type { CheckContext } from "../../live-checks/check";
import type { HttpRequest, HttpResponse } from "../../live-checks/io/http";
import { ProbeRegistry } from "../../live-checks/probes";
import { targetOf } from "../helpers/target";

/** The env block the DigitalOcean stack renders (object-ACL mode). */
const SPACES_ENV = {
  S3_ENABLED: "true",
  S3_BUCKET: "example-social-media",
  S3_REGION: "fra1",
  S3_PROTOCOL: "https",
  S3_ENDPOINT: "https://fra1.digitaloceanspaces.com",
  S3_HOSTNAME: "fra1.digitaloceanspaces.com",
  S3_ALIAS_HOST: "files.example.com",
  AWS_ACCESS_KEY_ID: "DO00EXAMPLEACCESSKEY",
  AWS_SECRET_ACCESS_KEY: "EXAMPLEspacesSecretKey0000000000000000000000",
  AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
  AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
  S3_PERMISSION: "public-read",
};

const denied = () =>
  Object.assign(new Error("AccessDenied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
const answer = (status: number, body = ""): HttpResponse => ({ status, headers: {}, body: Buffer.from(body) });

/**
 * A check context over fake I/O. The fake bucket keeps what is PUT, with its ACL; the fake media host and API
 * serve an object anonymously when `serves(acl)` says so. `refuseAcl` makes the writer's key refuse x-amz-acl.
 */
function fakeStorage(options: {
  env?: Record<string, string | undefined>;
  refuseAcl?: boolean;
  serves?: (acl: string | undefined) => boolean;
}) {
  const target = targetOf({ ...SPACES_ENV, ...options.env });
  const objects = new Map<string, { body: Buffer; acl?: string }>();
  const puts: { key: string; acl?: string }[] = [];
  const serves = options.serves ?? ((acl) => acl === "public-read");
  const s3 = {
    send: async (command: { constructor: { name: string }; input: { Key: string; Body: Buffer; ACL?: string } }) => {
      if (command.constructor.name !== "PutObjectCommand") throw new Error(`unexpected ${command.constructor.name}`);
      const { Key, Body, ACL } = command.input;
      puts.push({ key: Key, acl: ACL });
      if (ACL && options.refuseAcl) throw denied();
      objects.set(Key, { body: Body, acl: ACL });
      return {};
    },
  } as unknown as S3Client;
  const requests: string[] = [];
  const http = async (url: string, request: HttpRequest = {}) => {
    requests.push(`${request.method ?? "GET"} ${url}`);
    const key = url
      .replace(/^https:\/\/files\.example\.com\//, "")
      .replace(/^https:\/\/fra1\.digitaloceanspaces\.com\/example-social-media\//, "");
    const object = objects.get(key);
    if (!object) return answer(404, "<Error><Code>NoSuchKey</Code></Error>");
    return serves(object.acl)
      ? answer(200, object.body.toString())
      : answer(403, "<Error><Code>AccessDenied</Code></Error>");
  };
  const ctx: CheckContext = {
    target,
    origin: "https://social.example.com",
    io: { s3, http, tls: async () => Promise.reject(new Error("no TLS here")) },
    probes: new ProbeRegistry(target.facts.bucket, undefined),
    state: {
      probe: { key: "media_attachments/x/probe.txt", body: Buffer.from("p"), contentType: "text/plain" },
      mediaServed: true,
    },
    signal: new AbortController().signal,
    redact: (text) => text,
  };
  return { ctx, puts, requests, objects };
}

describe("objectAcls", () => {
  it("runs after the probe is served and before the writer's own probe is deleted", () => {
    const ids = CHECKS.map((check) => check.id);
    expect(ids.indexOf("object-acls")).toBeGreaterThan(ids.indexOf("public-read"));
    expect(ids.indexOf("object-acls")).toBeLessThan(ids.indexOf("writer-delete"));
    expect(objectAcls.needs).toEqual(["probe", "mediaServed"]);
  });

  it("passes on Spaces semantics: the public-read probe is served, the private one is refused on the media host and the API", async () => {
    const { ctx, puts } = fakeStorage({});
    const outcome = await objectAcls.run(ctx);
    expect(outcome.status).toBe("pass");
    expect(puts.map((put) => [put.key.split("/").at(-1), put.acl])).toEqual([
      ["acl-public-read.txt", "public-read"],
      ["acl-private.txt", "private"],
    ]);
    expect(outcome.observed).toEqual([
      expect.stringMatching(
        /^PUT media_attachments\/mastodon-media-verify\/.+\/acl-public-read\.txt with x-amz-acl: public-read: 200$/,
      ),
      expect.stringMatching(
        /^GET https:\/\/files\.example\.com\/media_attachments\/.+\/acl-public-read\.txt anonymously: 200$/,
      ),
      expect.stringMatching(/acl-private\.txt with x-amz-acl: private: 200$/),
      expect.stringMatching(/^GET https:\/\/files\.example\.com\/.+\/acl-private\.txt anonymously: 403 AccessDenied$/),
      // Path style: S3_ENDPOINT is set, as Mastodon's SDK addresses the API.
      expect.stringMatching(
        /^GET https:\/\/fra1\.digitaloceanspaces\.com\/example-social-media\/.+\/acl-private\.txt anonymously: 403 AccessDenied$/,
      ),
    ]);
    expect(ctx.probes.pending().keys).toHaveLength(2);
  });

  it("fails when a bucket policy serves media whatever its ACL: suspensions could not hide it", async () => {
    const { ctx } = fakeStorage({ serves: () => true });
    const outcome = await objectAcls.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.cause).toMatch(
      /^an object uploaded with x-amz-acl: private under media_attachments\/ is readable by anyone at https:\/\/files\.example\.com\/.+ and https:\/\/fra1\.digitaloceanspaces\.com\/example-social-media\//,
    );
    expect(outcome.cause).toContain("hide a suspended account's media hide nothing");
  });

  it("fails when the media host does not honour the public-read ACL", async () => {
    const { ctx } = fakeStorage({ serves: () => false });
    const outcome = await objectAcls.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.cause).toMatch(/^an object uploaded with x-amz-acl: public-read is not served on the media host/);
  });

  it("names the Spaces key that may not set object ACLs, with what to do", async () => {
    const { ctx } = fakeStorage({ refuseAcl: true });
    const outcome = await objectAcls.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.observed.slice(1)).toEqual(["the same PUT without x-amz-acl: 200"]);
    expect(outcome.observed[0]).toMatch(/with x-amz-acl: public-read: 403 AccessDenied$/);
    expect(outcome.cause).toMatch(/^the Spaces key may not set object ACLs: /);
    expect(outcome.fix).toContain("keep S3_PERMISSION=public-read");
    expect(outcome.fix).toContain('docs/digitalocean.md, "If the Spaces key may not set object ACLs"');
  });

  it("is skipped in no-ACL mode and after writer-upload found the ACL refused", async () => {
    const noAcl = fakeStorage({ env: { S3_PERMISSION: "" } });
    expect(await objectAcls.run(noAcl.ctx)).toEqual({
      status: "skip",
      observed: ["skipped: S3_PERMISSION is empty (no-ACL mode): public read comes from the bucket policy or the CDN"],
    });
    expect(noAcl.puts).toEqual([]);
    const refused = fakeStorage({});
    refused.ctx.state.aclRejected = true;
    expect((await objectAcls.run(refused.ctx)).status).toBe("skip");
    expect(refused.puts).toEqual([]);
  });
});

describe("the ACL refusal in object-ACL mode, through writer-upload and public-read", () => {
  it("writer-upload names the Spaces key, keeps the probe without ACL, and public-read does not blame the bucket policy", async () => {
    const { ctx } = fakeStorage({ refuseAcl: true });
    ctx.state = {};
    const upload = await writerUpload.run(ctx);
    expect(upload.status).toBe("fail");
    expect(upload.cause).toMatch(
      /^the Spaces key may not set object ACLs: Spaces answers 403 to the x-amz-acl: public-read header/,
    );
    expect(upload.transient).toBe(false);
    expect(ctx.state.aclRejected).toBe(true);
    const read = await publicRead.run(ctx);
    expect(read.status).toBe("skip");
    expect(read.observed[0]).toMatch(
      /^skipped: GET https:\/\/files\.example\.com\/.+\/probe\.txt: 403 AccessDenied, .*\(refused: see writer-upload\)$/,
    );
  });

  it("private-prefixes uploads backups/ with x-amz-acl: private, as app/models/backup.rb does, and finds it not served", async () => {
    const { ctx, puts } = fakeStorage({});
    const outcome = await privatePrefixes.run(ctx);
    expect(outcome.status).toBe("pass");
    expect(puts.find((put) => put.key.startsWith("backups/"))?.acl).toBe("private");
  });

  it("keeps the generic diagnosis where the bucket refuses ACLs altogether or S3_PERMISSION is merely absent", async () => {
    const aws = fakeStorage({
      env: {
        S3_ENDPOINT: undefined,
        S3_HOSTNAME: "s3.eu-central-1.amazonaws.com",
        S3_REGION: "eu-central-1",
        S3_PERMISSION: undefined,
      },
    });
    expect(inObjectAclMode(aws.ctx.target)).toBe(false);
    expect(inObjectAclMode(fakeStorage({}).ctx.target)).toBe(true);
    expect(aclNotPermitted({ ...aws.ctx.target, uploadAcl: "public-read" }).cause).toMatch(
      /^the writer's key may not set object ACLs/,
    );
  });
});
