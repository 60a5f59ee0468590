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
    ctx.addIssue({
      code: "custom",
      message: "must start with https:// (or http:// on loopback), e.g. https://minio.example.com:9000",
    });
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
    .regex(
      /^[a-zA-Z][a-zA-Z0-9_-]+$/,
      "must be a MinIO site region: a letter, then letters, digits, - or _ (e.g. us-east-1, EU1)",
    )
    .default("us-east-1"),
  /**
   * The DNS server the media host's nginx asks for the endpoint's host name, per request (providers/minio/nginx.ts):
   * an IP address, optionally with `:port`. Default 127.0.0.53 (systemd-resolved's stub). Unused when the endpoint
   * is an IP address.
   */
  nginxResolver: z
    .string()
    .regex(
      /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/,
      "must be an IP address, optionally with :port (e.g. 127.0.0.53 or [::1]:53)",
    )
    .optional(),
});

export const minioStack = z.strictObject({
  provider: z.literal("minio"),
  ...commonShape,
  bucket: providerBucketName(minioBucketNameProblem),
  minio: minioBlock,
});
