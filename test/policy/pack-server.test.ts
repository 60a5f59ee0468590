import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { credentials } from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDIA_URL_ANCHOR_MARK } from "../../components/media-urls";
import { rules } from "../../policy/registry";
import { UNKNOWN_STRING_VALUE } from "../../policy/sdk-proxy";
import { aws, BUCKET, cloudflare, json, anonymousReadDocument, minio } from "./fixtures";

/**
 * The real pack, as `pulumi preview --policy-pack policy` starts it: the Node.js policy runner of
 * @pulumi/pulumi (cmd/run-policy-pack, which compiles policy/index.ts with ts-node) in the policy/ directory,
 * answering the engine's Analyzer gRPC calls. Only the Pulumi CLI itself is missing.
 */
const POLICY_DIR = path.resolve(__dirname, "../../policy");
const RUNNER = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
const STACK_URN = "urn:pulumi:dev::mastodon-media::mastodon-media:minio:MediaStorage$";

let pack: ChildProcess;
let client: AnalyzerClient;

beforeAll(async () => {
  pack = spawn(process.execPath, [RUNNER, "127.0.0.1:0", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  pack.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    pack.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    pack.once("exit", (code) => reject(new Error(`the pack exited with ${code}: ${stderr}`)));
  });
  client = new AnalyzerClient(`127.0.0.1:${port}`, credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

/** A unary gRPC call as a promise. */
function rpc<T>(invoke: (callback: (error: Error | null, response: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));
}

function options(protect: boolean): analyzer.AnalyzerResourceOptions {
  return new analyzer.AnalyzerResourceOptions().setProtect(protect);
}

async function analyze(type: string, props: Record<string, unknown>, name: string, protect = false) {
  const request = new analyzer.AnalyzeRequest()
    .setType(type)
    .setName(name)
    .setUrn(`${STACK_URN}${type}::${name}`)
    .setProperties(Struct.fromJavaScript(props as never))
    .setOptions(options(protect));
  const response = await rpc<analyzer.AnalyzeResponse>((callback) => client.analyze(request, callback));
  return response.getDiagnosticsList().map((diagnostic) => ({
    policy: diagnostic.getPolicyname(),
    mandatory: diagnostic.getEnforcementlevel() === analyzer.EnforcementLevel.MANDATORY,
    message: diagnostic.getMessage(),
  }));
}

async function configure(config: Record<string, Record<string, unknown>>) {
  const request = new analyzer.ConfigureAnalyzerRequest();
  for (const [policy, properties] of Object.entries(config)) {
    request
      .getPolicyconfigMap()
      .set(
        policy,
        new analyzer.PolicyConfig()
          .setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY)
          .setProperties(Struct.fromJavaScript(properties as never)),
      );
  }
  await rpc<Empty>((callback) => client.configure(request, callback));
}

describe("the policy pack served by the Pulumi policy runner", () => {
  it("announces every rule of the registry with its enforcement level", async () => {
    const info = await rpc<analyzer.AnalyzerInfo>((callback) => client.getAnalyzerInfo(new Empty(), callback));
    expect(info.getName()).toBe("mastodon-media");
    expect(info.getPoliciesList().map((policy) => policy.getName())).toEqual(rules.map((rule) => rule.name));
  });

  it("reports mandatory violations for anonymous listing, with the rules' messages", async () => {
    const document = anonymousReadDocument();
    document.Statement.push({
      Effect: "Allow",
      Principal: "*",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${BUCKET}`,
    });
    const diagnostics = await analyze(
      "minio:index/s3BucketPolicy:S3BucketPolicy",
      { bucket: BUCKET, policy: json(document) },
      "media-bucket-policy",
    );
    expect(diagnostics).toEqual([
      {
        policy: "bucket-policy-public-access-read-only",
        mandatory: true,
        message:
          "Checks whether bucket policies (S3, Spaces, MinIO) let anonymous principals, or a CDN serving them, do anything but s3:GetObject.\n" +
          "Bucket policy statement 2 must let anonymous principals only read objects (s3:GetObject): it also allows s3:ListBucket.",
      },
      {
        // The bucket itself is outside the public prefixes too.
        policy: "bucket-policy-public-read-limited-to-public-prefixes",
        mandatory: true,
        message:
          "Checks whether bucket policies let anonymous principals, or a CDN serving them, reach objects outside Mastodon's public prefixes (backups/, imports/, the whole bucket).\n" +
          "Bucket policy statement 2 must limit anonymous principals to the public prefixes (media_attachments/, accounts/, custom_emojis/, site_uploads/, preview_card_providers/, preview_cards/, cache/): " +
          `it also covers arn:aws:s3:::${BUCKET}.`,
      },
    ]);
  });

  it("turns a policy document not known during preview into an advisory, not a pass or a failure", async () => {
    const diagnostics = await analyze(
      "aws:s3/bucketPolicy:BucketPolicy",
      { bucket: BUCKET, policy: UNKNOWN_STRING_VALUE },
      "media-bucket-policy",
    );
    expect(diagnostics.map((diagnostic) => [diagnostic.policy, diagnostic.mandatory])).toEqual([
      ["bucket-policy-public-access-read-only", false],
      ["bucket-policy-public-read-limited-to-public-prefixes", false],
    ]);
    expect(diagnostics[0]?.message).toContain("string value at .policy can't be known during preview");
  });

  it("passes the committed shapes", async () => {
    expect(await analyze(aws.userPolicy().type, aws.userPolicy().props, "media-writer-policy")).toEqual([]);
    expect(
      await analyze(cloudflare.customDomain().type, cloudflare.customDomain().props, "media-custom-domain"),
    ).toEqual([]);
  });

  it("reads the environment from the policy config: production by default, test when configured", async () => {
    const bucket = minio.bucket();
    expect((await analyze(bucket.type, bucket.props, "media-bucket")).map((diagnostic) => diagnostic.policy)).toEqual([
      "bucket-protection-matches-environment",
      "bucket-protection-matches-environment",
    ]);
    await configure({ "bucket-protection-matches-environment": { environment: "test" } });
    expect(await analyze(bucket.type, bucket.props, "media-bucket")).toEqual([]);
    expect(
      (await analyze(bucket.type, bucket.props, "media-bucket", true)).map(
        (diagnostic) => diagnostic.message.split("\n")[1],
      ),
    ).toEqual(["The test bucket must not be protected: `pulumi destroy` of a test stack must remove it."]);
  });

  it("runs the stack rules over the whole stack", async () => {
    const stackDiagnostics = async (
      resources: { type: string; props: Record<string, unknown>; protect: boolean }[],
    ) => {
      const request = new analyzer.AnalyzeStackRequest();
      for (const [index, resource] of resources.entries()) {
        request.addResources(
          new analyzer.AnalyzerResource()
            .setType(resource.type)
            .setName(`r${index}`)
            .setUrn(`${STACK_URN}${resource.type}::r${index}`)
            .setProperties(Struct.fromJavaScript(resource.props as never))
            .setOptions(options(resource.protect)),
        );
      }
      const response = await rpc<analyzer.AnalyzeResponse>((callback) => client.analyzeStack(request, callback));
      return response
        .getDiagnosticsList()
        .map((diagnostic) => [diagnostic.getPolicyname(), diagnostic.getUrn().split("::").pop()]);
    };
    const stored = [
      { ...cloudflare.bucket(), protect: true },
      { ...cloudflare.customDomain(), protect: true },
    ];
    // An anchor of the media URLs (components/media-url-anchors.ts), as the program registers one.
    const anchor = { type: "command:local:Command", props: { triggers: [MEDIA_URL_ANCHOR_MARK, "files.example.com"] } };
    // The custom domain has no WAF rule, no HTTPS redirect and no edge CORS rule in its zone.
    const domainFindings = [
      ["r2-private-prefixes-blocked", "r1"],
      ["r2-media-host-https-redirect", "r1"],
      ["r2-media-host-cors-after-cache", "r1"],
    ];
    // And no cache buster Worker on its host (advisory, last in the registry).
    const bust = ["cdn-busts-deleted-media", "r1"];
    expect(await stackDiagnostics([...stored, { ...anchor, protect: true }])).toEqual([...domainFindings, bust]);
    expect(await stackDiagnostics([...stored, { ...anchor, protect: false }])).toEqual([
      ...domainFindings,
      ["media-urls-anchored", "r2"],
      bust,
    ]);
  });
});
