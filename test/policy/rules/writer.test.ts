import { describe, expect, it } from "vitest";
import { r2TokenBucketItemScoped } from "../../../policy/rules/r2-token-bucket-item-scoped";
import { spacesKeyBucketScoped } from "../../../policy/rules/spaces-key-bucket-scoped";
import { writerPolicyAttachmentsScoped } from "../../../policy/rules/writer-policy-attachments-scoped";
import { writerPolicyLeastPrivilege } from "../../../policy/rules/writer-policy-least-privilege";
import { writerScopedToStackBucket } from "../../../policy/rules/writer-scoped-to-stack-bucket";
import { ACCOUNT_ID, aws, BUCKET, cloudflare, digitalocean, minio, writerDocument } from "../fixtures";
import { validateResource, validateStack } from "../helpers";

const ALLOWED = "s3:PutObject, s3:GetObject, s3:DeleteObject, s3:AbortMultipartUpload, s3:ListBucket";

describe("writer-policy-least-privilege", () => {
  const rule = writerPolicyLeastPrivilege;

  it("passes the writer policy on AWS and MinIO", async () => {
    expect(await validateResource(rule, aws.userPolicy())).toEqual([]);
    expect(await validateResource(rule, minio.iamPolicy())).toEqual([]);
  });

  it("fails when the writer gets s3:*", async () => {
    const document = writerDocument();
    (document.Statement[0] as { Action: string[] }).Action.push("s3:*");
    expect(await validateResource(rule, aws.userPolicy(document))).toEqual([
      `The writer policy statement ReadWriteMediaObjects must grant only ${ALLOWED}: found s3:*.`,
    ]);
  });

  it("fails when the writer may change the bucket policy or ACLs, or create buckets", async () => {
    const document = writerDocument();
    document.Statement.push({
      Effect: "Allow",
      Action: ["s3:PutBucketPolicy", "s3:PutObjectAcl", "s3:CreateBucket"],
      Resource: "*",
    });
    expect(await validateResource(rule, minio.iamPolicy(document))).toEqual([
      `The writer policy statement 3 must grant only ${ALLOWED}: found s3:PutBucketPolicy, s3:PutObjectAcl, s3:CreateBucket.`,
      "The writer policy statement 3 must name one bucket in every resource: found *.",
    ]);
  });

  it("fails when the writer reaches a second bucket", async () => {
    const document = writerDocument();
    (document.Statement[0] as { Resource: string | string[] }).Resource = [
      `arn:aws:s3:::${BUCKET}/*`,
      "arn:aws:s3:::other-instance-media/*",
    ];
    expect(await validateResource(rule, aws.userPolicy(document))).toEqual([
      `The writer policy must grant on one bucket only: found ${BUCKET}, other-instance-media.`,
    ]);
  });

  it("checks the inline policy of a MinIO service account, and skips one without", async () => {
    expect(
      await validateResource(rule, {
        type: "minio:index/iamServiceAccount:IamServiceAccount",
        props: { targetUser: "writer" },
      }),
    ).toEqual([]);
    const wide = {
      type: "minio:index/iamServiceAccount:IamServiceAccount",
      props: {
        targetUser: "writer",
        policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "admin:*", Resource: "arn:aws:s3:::*" }] }),
      },
    };
    expect(await validateResource(rule, wide)).toEqual([
      `The writer policy statement 1 must grant only ${ALLOWED}: found admin:*.`,
      "The writer policy statement 1 must name one bucket in every resource: found arn:aws:s3:::*.",
    ]);
  });
});

describe("writer-policy-attachments-scoped", () => {
  const rule = writerPolicyAttachmentsScoped;

  it("passes the attachment of the stack's own MinIO policy and of a customer-managed AWS policy", async () => {
    expect(await validateResource(rule, minio.attachment())).toEqual([]);
    expect(
      await validateResource(rule, {
        type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        props: { user: "w", policyArn: "arn:aws:iam::123456789012:policy/media-writer" },
      }),
    ).toEqual([]);
  });

  it("fails MinIO's built-in readwrite policy and AWS's AmazonS3FullAccess", async () => {
    expect(await validateResource(rule, minio.attachment("readwrite"))).toEqual([
      "The writer must not get MinIO's built-in policy readwrite: it covers every bucket on the server.",
    ]);
    expect(
      await validateResource(rule, {
        type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        props: { user: "w", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
      }),
    ).toEqual([
      "The writer must not get the AWS managed policy arn:aws:iam::aws:policy/AmazonS3FullAccess: attach only the stack's least-privilege policy.",
    ]);
  });
});

describe("spaces-key-bucket-scoped", () => {
  const rule = spacesKeyBucketScoped;

  it("passes a readwrite grant on the media bucket", async () => {
    expect(await validateResource(rule, digitalocean.key())).toEqual([]);
  });

  it("fails a fullaccess grant", async () => {
    expect(await validateResource(rule, digitalocean.key([{ bucket: "", permission: "fullaccess" }]))).toEqual([
      "The Spaces key must never have fullaccess: it reaches every bucket of the team.",
    ]);
  });

  it("fails a key without grants, a grant without bucket and grants on two buckets", async () => {
    expect(await validateResource(rule, digitalocean.key([]))).toEqual([
      "The Spaces key must carry a readwrite grant on the media bucket: a key without grants is not scoped.",
    ]);
    expect(await validateResource(rule, digitalocean.key([{ bucket: "", permission: "readwrite" }]))).toEqual([
      "The Spaces key must name its bucket in every grant.",
    ]);
    expect(
      await validateResource(
        rule,
        digitalocean.key([
          { bucket: BUCKET, permission: "readwrite" },
          { bucket: "other", permission: "read" },
        ]),
      ),
    ).toEqual([`The Spaces key must grant on one bucket only: found ${BUCKET}, other.`]);
  });
});

describe("r2-token-bucket-item-scoped", () => {
  const rule = r2TokenBucketItemScoped;

  it("passes the bucket-item write group on the media bucket", async () => {
    expect(await validateResource(rule, cloudflare.token())).toEqual([]);
  });

  it("fails an account-wide token", async () => {
    expect(
      await validateResource(rule, cloudflare.token({ [`com.cloudflare.api.account.${ACCOUNT_ID}`]: "*" })),
    ).toEqual([
      `The R2 token must be scoped to one bucket (com.cloudflare.edge.r2.bucket.ACCOUNT_JURISDICTION_BUCKET), never account-wide: found com.cloudflare.api.account.${ACCOUNT_ID}.`,
    ]);
  });

  it("fails another permission group, unless the pack config allows it", async () => {
    const token = cloudflare.token(undefined, ["bf7481a1826f439697cb59a20b22293e"]);
    expect(await validateResource(rule, token)).toEqual([
      "The R2 token must hold only the R2 bucket-item permission groups: found bf7481a1826f439697cb59a20b22293e.",
    ]);
    expect(await validateResource(rule, token, { permissionGroupIds: ["bf7481a1826f439697cb59a20b22293e"] })).toEqual(
      [],
    );
  });

  it("fails nested account resources, two buckets and unreadable resources", async () => {
    const nested = cloudflare.token({
      [`com.cloudflare.api.account.${ACCOUNT_ID}`]: { "com.cloudflare.edge.r2.bucket.*": "*" },
    });
    expect(await validateResource(rule, nested)).toHaveLength(1);
    const two = cloudflare.token({
      [`com.cloudflare.edge.r2.bucket.${ACCOUNT_ID}_default_${BUCKET}`]: "*",
      [`com.cloudflare.edge.r2.bucket.${ACCOUNT_ID}_eu_other`]: "*",
    });
    expect(await validateResource(rule, two)).toEqual([
      `The R2 token must grant on one bucket only: found ${BUCKET}, other.`,
    ]);
    const broken = cloudflare.token();
    (broken.props.policies as { resources: string }[])[0]!.resources = "not json";
    expect(await validateResource(rule, broken)).toEqual(["The R2 token's resources is not valid JSON."]);
  });
});

describe("writer-scoped-to-stack-bucket", () => {
  const rule = writerScopedToStackBucket;

  it("passes writers that name the stack's bucket on every provider", async () => {
    expect(await validateStack(rule, [aws.bucket(), aws.userPolicy()])).toEqual([]);
    expect(await validateStack(rule, [cloudflare.bucket(), cloudflare.token()])).toEqual([]);
    expect(await validateStack(rule, [digitalocean.bucket(), digitalocean.key()])).toEqual([]);
    expect(await validateStack(rule, [minio.bucket(), minio.iamPolicy()])).toEqual([]);
  });

  it("fails writers that name another bucket", async () => {
    const message = `The writer must be scoped to this stack's bucket (${BUCKET}): it names someone-elses-bucket.`;
    expect(
      await validateStack(rule, [
        aws.bucket(),
        { ...aws.userPolicy(writerDocument("someone-elses-bucket")), name: "media-writer-policy" },
      ]),
    ).toEqual([{ name: "media-writer-policy", message }]);
    expect(
      (
        await validateStack(rule, [
          digitalocean.bucket(),
          digitalocean.key([{ bucket: "someone-elses-bucket", permission: "readwrite" }]),
        ])
      ).map((f) => f.message),
    ).toEqual([message]);
    const token = cloudflare.token({
      [`com.cloudflare.edge.r2.bucket.${ACCOUNT_ID}_default_someone-elses-bucket`]: "*",
    });
    expect((await validateStack(rule, [cloudflare.bucket(), token])).map((f) => f.message)).toEqual([message]);
  });
});
