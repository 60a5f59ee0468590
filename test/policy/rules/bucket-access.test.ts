import { describe, expect, it } from "vitest";
import { bucketAclNotPublic } from "../../../policy/rules/bucket-acl-not-public";
import { bucketPolicyPublicAccessReadOnly } from "../../../policy/rules/bucket-policy-public-access-read-only";
import { bucketPolicyPublicReadLimitedToPublicPrefixes } from "../../../policy/rules/bucket-policy-public-read-limited-to-public-prefixes";
import { r2DevDomainDisabledInProduction } from "../../../policy/rules/r2-dev-domain-disabled-in-production";
import { r2PrivatePrefixesBlocked } from "../../../policy/rules/r2-private-prefixes-blocked";
import {
  anonymousReadDocument,
  aws,
  BUCKET,
  cloudflare,
  cloudFrontReadDocument,
  digitalocean,
  minio,
} from "../fixtures";
import { validateResource, validateStack } from "../helpers";

const PREFIXES =
  "media_attachments/, accounts/, custom_emojis/, site_uploads/, preview_card_providers/, preview_cards/, cache/";

describe("bucket-policy-public-access-read-only", () => {
  const rule = bucketPolicyPublicAccessReadOnly;

  it("passes the CloudFront read policy on S3 and the anonymous read policy on Spaces and MinIO", async () => {
    expect(await validateResource(rule, aws.bucketPolicy())).toEqual([]);
    expect(await validateResource(rule, digitalocean.bucketPolicy())).toEqual([]);
    expect(await validateResource(rule, minio.bucketPolicy())).toEqual([]);
  });

  it("fails when anonymous principals may list the bucket", async () => {
    const document = anonymousReadDocument();
    document.Statement.push({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${BUCKET}`,
    });
    expect(await validateResource(rule, minio.bucketPolicy(document))).toEqual([
      "Bucket policy statement 2 must let anonymous principals only read objects (s3:GetObject): it also allows s3:ListBucket.",
    ]);
  });

  it("fails when the public statement also writes, deletes or changes the policy", async () => {
    const document = anonymousReadDocument();
    (document.Statement[0] as { Action: string[] }).Action.push(
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:PutBucketPolicy",
    );
    expect(await validateResource(rule, digitalocean.bucketPolicy(document))).toEqual([
      "Bucket policy statement PublicReadMedia must let anonymous principals only read objects (s3:GetObject): it also allows s3:PutObject, s3:DeleteObject, s3:PutBucketPolicy.",
    ]);
  });

  it("fails when the CDN's statement grants s3:*", async () => {
    const document = cloudFrontReadDocument();
    (document.Statement[0] as { Action: string[] }).Action = ["s3:*"];
    expect(await validateResource(rule, aws.bucketPolicy(document))).toEqual([
      "Bucket policy statement CloudFrontReadsMedia must let the CDN that serves the public only read objects (s3:GetObject): it also allows s3:*.",
    ]);
  });

  it("fails on the deprecated inline policy of an S3 bucket and on a document it cannot read", async () => {
    const bucket = aws.bucket();
    bucket.props.policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:PutObjectAcl", Resource: `arn:aws:s3:::${BUCKET}/*` }],
    };
    expect(await validateResource(rule, bucket)).toEqual([
      "Bucket policy statement 1 must let anonymous principals only read objects (s3:GetObject): it also allows s3:PutObjectAcl.",
    ]);
    const unreadable = minio.bucketPolicy();
    unreadable.props.policy = "{";
    expect(await validateResource(rule, unreadable)).toEqual([
      "The bucket policy must be a valid policy document: it is not valid JSON.",
    ]);
  });
});

describe("bucket-policy-public-read-limited-to-public-prefixes", () => {
  const rule = bucketPolicyPublicReadLimitedToPublicPrefixes;

  it("passes reads on the public prefixes only", async () => {
    expect(await validateResource(rule, aws.bucketPolicy())).toEqual([]);
    expect(await validateResource(rule, digitalocean.bucketPolicy())).toEqual([]);
  });

  it("fails when backups/ is public through the CDN", async () => {
    const document = cloudFrontReadDocument();
    (document.Statement[0] as { Resource: string[] }).Resource.push(`arn:aws:s3:::${BUCKET}/backups/*`);
    expect(await validateResource(rule, aws.bucketPolicy(document))).toEqual([
      `Bucket policy statement CloudFrontReadsMedia must limit the CDN that serves the public to the public prefixes (${PREFIXES}): it also covers arn:aws:s3:::${BUCKET}/backups/*.`,
    ]);
  });

  it("fails on a bucket-wide anonymous read", async () => {
    const document = anonymousReadDocument();
    (document.Statement[0] as { Resource: string }).Resource = `arn:aws:s3:::${BUCKET}/*`;
    expect(await validateResource(rule, minio.bucketPolicy(document))).toEqual([
      `Bucket policy statement PublicReadMedia must limit anonymous principals to the public prefixes (${PREFIXES}): it also covers arn:aws:s3:::${BUCKET}/*.`,
    ]);
  });

  it("fails on a service principal that is not pinned to a source, which any account's distribution could use", async () => {
    const document = cloudFrontReadDocument();
    delete document.Statement[0]?.Condition;
    (document.Statement[0] as { Resource: string[] }).Resource = [`arn:aws:s3:::${BUCKET}/imports/*`];
    expect(await validateResource(rule, aws.bucketPolicy(document))).toEqual([
      `Bucket policy statement CloudFrontReadsMedia must limit anonymous principals to the public prefixes (${PREFIXES}): it also covers arn:aws:s3:::${BUCKET}/imports/*.`,
    ]);
  });
});

describe("bucket-acl-not-public", () => {
  const rule = bucketAclNotPublic;

  it("passes private buckets on every provider", async () => {
    expect(await validateResource(rule, aws.bucket())).toEqual([]);
    expect(await validateResource(rule, digitalocean.bucket())).toEqual([]);
    expect(await validateResource(rule, minio.bucket())).toEqual([]);
  });

  it("accepts object-ACL mode on Spaces: the objects carry public-read, the bucket itself stays private", async () => {
    const bucket = digitalocean.bucket();
    expect(bucket.props.acl).toBe("private");
    expect(await validateResource(rule, bucket)).toEqual([]);
  });

  it("fails a public-read Spaces bucket, which anyone can list", async () => {
    const bucket = digitalocean.bucket();
    bucket.props.acl = "public-read";
    expect(await validateResource(rule, bucket)).toEqual([
      "The bucket ACL must be private: public-read lets anyone list the bucket.",
    ]);
  });

  it("fails a MinIO bucket whose acl becomes a bucket-wide policy", async () => {
    const bucket = minio.bucket();
    bucket.props.acl = "public";
    expect(await validateResource(rule, bucket)).toEqual([
      "The bucket ACL must be private: MinIO turns acl public into a bucket-wide policy.",
    ]);
  });

  it("fails an S3 canned ACL and a grant to all users", async () => {
    const bucket = aws.bucket();
    bucket.props.acl = "public-read-write";
    expect(await validateResource(rule, bucket)).toEqual([
      "The bucket ACL must be private: public-read-write lets anyone list the bucket and write to it.",
    ]);
    const acl = {
      type: "aws:s3/bucketAcl:BucketAcl",
      props: {
        bucket: BUCKET,
        accessControlPolicy: {
          owner: { id: "owner" },
          grants: [
            { grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" },
          ],
        },
      },
    };
    expect(await validateResource(rule, acl)).toEqual([
      "The bucket ACL must not grant READ to http://acs.amazonaws.com/groups/global/AllUsers.",
    ]);
  });
});

describe("r2-private-prefixes-blocked", () => {
  const rule = r2PrivatePrefixesBlocked;

  it("passes a custom domain whose zone blocks /backups/ and /imports/ on the media host", async () => {
    expect(await validateStack(rule, [cloudflare.bucket(), cloudflare.customDomain(), cloudflare.guard()])).toEqual([]);
  });

  it("fails a custom domain without a WAF rule", async () => {
    expect(
      await validateStack(rule, [cloudflare.bucket(), { ...cloudflare.customDomain(), name: "media-custom-domain" }]),
    ).toEqual([
      {
        name: "media-custom-domain",
        message:
          "The R2 custom domain files.example.com must have a WAF rule in its zone blocking /backups/ and /imports/: R2 serves every key on a custom domain.",
      },
    ]);
  });

  const messagesOf = async (...guards: ReturnType<typeof cloudflare.guard>[]) =>
    (await validateStack(rule, [cloudflare.customDomain(), ...guards])).map((finding) => finding.message);

  it("fails the guard this project generated before: it missed the trailing-dot host and other key prefixes", async () => {
    const old =
      '(lower(http.host) eq "files.example.com" and (starts_with(http.request.uri.path, "/backups/") or starts_with(http.request.uri.path, "/imports/") or ' +
      'starts_with(url_decode(http.request.uri.path), "/backups/") or starts_with(url_decode(http.request.uri.path), "/imports/")))';
    expect(await messagesOf(cloudflare.guard(old))).toEqual([
      "The R2 custom domain files.example.com must have a WAF rule in its zone blocking /backups/ and /imports/: R2 serves every key on a custom domain. " +
        "These requests get through: files.example.com /social/backups/x, files.example.com /social/backups%2Fx, files.example.com /social/backups%2fx, files.example.com /social/imports/x (and 56 more).",
    ]);
  });

  it("fails when the rule forgets a prefix, decodes nothing, names another host, or only logs", async () => {
    const onlyImports =
      '(lower(http.host) in {"files.example.com" "files.example.com."} and http.request.uri.path contains "/imports/")';
    const [forgotten] = await messagesOf(cloudflare.guard(onlyImports));
    expect(forgotten).toMatch(
      /^The R2 custom domain files.example.com must have a WAF rule in its zone blocking \/backups\/ and \/imports\/: .* These requests get through: files.example.com \/backups\/x, /,
    );
    expect(forgotten).toContain("/imports%2Fx");
    expect(
      await messagesOf(
        cloudflare.guard('(http.host eq "social.example.com" and http.request.uri.path contains "/backups/")'),
      ),
    ).toEqual([
      "The R2 custom domain files.example.com must have a WAF rule in its zone blocking /backups/ and /imports/: R2 serves every key on a custom domain.",
    ]);
    const logging = cloudflare.guard();
    (logging.props.rules as { action: string }[])[0]!.action = "log";
    expect(await messagesOf(logging)).toHaveLength(1);
  });

  it("runs the rules in order: a skip rule in front of the block lets the requests it matches through", async () => {
    const guard = cloudflare.guard();
    const rules = guard.props.rules as Record<string, unknown>[];
    rules.unshift({
      action: "skip",
      actionParameters: { ruleset: "current" },
      enabled: true,
      expression: 'http.request.uri.path contains "%2F"',
      ref: "allow_encoded",
    });
    const [message] = await messagesOf(guard);
    expect(message).toContain(
      "These requests get through: files.example.com /backups%2Fx, files.example.com /imports%2Fx,",
    );
  });

  it("reports an expression it cannot evaluate instead of trusting it", async () => {
    expect(
      await messagesOf(cloudflare.guard('(cf.edge.server_port eq 443 and http.request.uri.path contains "/backups/")')),
    ).toEqual([
      "The WAF custom rules of the zone of files.example.com must be expressions the plan can evaluate, so that it can prove backups/ and imports/ private: rule mastodon_media_private_keys: the field cf.edge.server_port is not modelled by the plan's requests.",
    ]);
  });

  it("fails a rule that also blocks public media or other hosts of the zone", async () => {
    expect(await messagesOf(cloudflare.guard('http.request.uri.path contains "/"'))).toEqual([
      "The WAF custom rules of the zone of files.example.com must not block public media or other hosts: they block " +
        "files.example.com /media_attachments/files/000/000/001/original/0123456789abcdef.png, files.example.com /accounts/files/000/000/001/original/0123456789abcdef.png, " +
        "files.example.com /custom_emojis/files/000/000/001/original/0123456789abcdef.png, files.example.com /site_uploads/files/000/000/001/original/0123456789abcdef.png (and 53 more).",
    ]);
  });
});

describe("r2-dev-domain-disabled-in-production", () => {
  const rule = r2DevDomainDisabledInProduction;

  it("passes a disabled r2.dev domain in production and an enabled one on a test stack", async () => {
    expect(await validateResource(rule, cloudflare.managedDomain(false))).toEqual([]);
    expect(await validateResource(rule, cloudflare.managedDomain(true), { environment: "test" })).toEqual([]);
  });

  it("fails an enabled r2.dev domain in production, which is the default environment", async () => {
    const message =
      "The r2.dev domain must be disabled in production: it serves every key, backups/ included, with no WAF rule in front.";
    expect(await validateResource(rule, cloudflare.managedDomain(true))).toEqual([message]);
    expect(await validateResource(rule, cloudflare.managedDomain(true), { environment: "production" })).toEqual([
      message,
    ]);
  });
});
