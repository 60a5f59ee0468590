import { z } from "zod";
import { providerBucketName } from "./validators";
import { minioBucketNameProblem } from "./bucket-names";
import { commonShape } from "./common";
import { isLoopbackHost } from "../hosts";

/** The MinIO S3 API URL. Plain http is accepted only on loopback: credentials cross it. */
const endpoint = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: "must be a URL such as https://minio.example.com:9000" });
    return;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    // `localhost:9000` parses as a URL whose scheme is "localhost:".
    ctx.addIssue({ code: "custom", message: "must start with https:// (or http:// on loopback), e.g. https://minio.example.com:9000" });
    return;
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    ctx.addIssue({ code: "custom", message: "must use https outside loopback: the writer credential crosses it" });
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username) {
    ctx.addIssue({ code: "custom", message: "must be scheme, host and port only, with no path or credentials" });
  }
});

export const minioBlock = z.strictObject({
  endpoint,
  /**
   * Must equal the server's region (MINIO_SITE_REGION); Mastodon signs requests with it. MinIO accepts a letter
   * followed by letters, digits, `-` or `_`, upper case included (MinIO internal/config, `validRegionRegex`
   * `^[a-zA-Z][a-zA-Z0-9-_-]+$` in LookupSite).
   */
  region: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9_-]+$/, "must be a MinIO site region: a letter, then letters, digits, - or _ (e.g. us-east-1, EU1)")
    .default("us-east-1"),
});

export const minioStack = z.strictObject({
  provider: z.literal("minio"),
  ...commonShape,
  bucket: providerBucketName(minioBucketNameProblem),
  minio: minioBlock,
});
