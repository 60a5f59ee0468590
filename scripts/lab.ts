/**
 * The second half of `npm run lab` (scripts/lab.sh starts the server): the bucket, the writer and the env file,
 * from the documents the stacks plan, applied exactly as the e2e tests apply them (test/e2e/server.ts,
 * test/e2e/documents.ts), so that what a user tries is what the tests prove.
 */
import { writeFileSync } from "node:fs";
import { documentsFromPlans, forBucket } from "../test/e2e/documents";
import {
  createBucket,
  createWriter,
  localEnv,
  putWriterPolicy,
  serversFromEnv,
  withRgwBatchDelete,
} from "../test/e2e/server";

async function main(): Promise<void> {
  const file = process.env.LAB_ENV;
  if (!file) throw new Error("LAB_ENV is not set: run this through `npm run lab`");
  const servers = serversFromEnv();
  try {
    const documents = await documentsFromPlans();
    const bucket = "lab-media";
    await createBucket(servers.primary, bucket, forBucket(documents.bucketPolicy, bucket), documents.corsRules.value);
    const writer = createWriter([servers.primary], "lab");
    // RGW authorizes DeleteObjects against the bucket ARN (withRgwBatchDelete says why).
    await putWriterPolicy(
      servers.primary,
      writer,
      withRgwBatchDelete(forBucket(documents.writerPolicy, bucket), bucket),
    );
    writeFileSync(file, localEnv(servers.primary, bucket, writer), { mode: 0o600 });
    console.log(
      [
        `Lab ready: a Ceph RGW on ${servers.primary.endpoint}, bucket ${bucket} with the planned bucket policy and CORS rules,`,
        `a writer with the planned writer policy. Its env file (mode 0600, a throwaway key of this local server): ${file}`,
        "",
        `  npm run verify -- --env ${file}        # every check passes (TLS is skipped on plain http)`,
        `  npm run doctor -- --env ${file} --live`,
        "  npm run lab -- stop                      # stop the server and remove its state",
      ].join("\n"),
    );
  } finally {
    servers.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
