import { z } from "zod";

/**
 * Zod building blocks for the stack config. Each message says what the value must be, so that the
 * rendered issue reads "mastodon-media:KEY: MESSAGE (got VALUE)".
 */

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS host name such as `files.example.com`: no scheme, no port, no path, lowercase. */
export const hostname = z.string().superRefine((value, ctx) => {
  const problem = hostnameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export function hostnameProblem(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return "must be a host name without a scheme, e.g. files.example.com";
  }
  if (/[/?#:]/.test(value)) return "must be a host name without port or path, e.g. files.example.com";
  if (value !== value.toLowerCase()) return "must be lowercase";
  if (value.length > 253) return "must be at most 253 characters";
  const labels = value.split(".");
  if (labels.length < 2) return "must be a fully qualified host name, e.g. files.example.com";
  if (!labels.every((label) => LABEL.test(label))) {
    return "must consist of dot-separated labels of letters, digits and inner hyphens";
  }
  return undefined;
}

/**
 * The public media host (S3_ALIAS_HOST): a host name that is a DNS name. An IP address passes the host-name
 * shape but no provider serves media on one: ACM and Let's Encrypt issue no certificate for an IP address, and
 * CloudFront aliases, R2 custom domains and Spaces CDN custom domains take only domain names. A top-level
 * label is never all digits (RFC 3696, section 2), so an all-digit last label means an address.
 */
export const mediaHostname = hostname.superRefine((value, ctx) => {
  if (/(^|\.)\d+$/.test(value)) {
    ctx.addIssue({
      code: "custom",
      message: "must be a domain name, not an IP address: no certificate or CDN alias accepts an IP address",
    });
  }
});

/** A bucket name checked by one provider's rules (components/config/bucket-names.ts). */
export function providerBucketName(problemOf: (name: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/**
 * S3 bucket naming rules (AWS S3 user guide, "General purpose bucket naming rules"). `allowDots` is off for
 * R2 and Spaces, which only accept letters, digits and hyphens, and where a dot breaks virtual-host TLS.
 */
export function bucketName(options: { allowDots: boolean }) {
  return z.string().superRefine((value, ctx) => {
    const problem = bucketNameProblem(value, options);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

export function bucketNameProblem(value: string, { allowDots }: { allowDots: boolean }): string | undefined {
  if (value.length < 3 || value.length > 63) return "must be 3 to 63 characters long";
  const allowed = allowDots ? /^[a-z0-9.-]+$/ : /^[a-z0-9-]+$/;
  if (!allowed.test(value)) {
    return allowDots
      ? "may contain only lowercase letters, digits, dots and hyphens"
      : "may contain only lowercase letters, digits and hyphens";
  }
  if (!/^[a-z0-9]/.test(value) || !/[a-z0-9]$/.test(value)) return "must begin and end with a letter or digit";
  if (value.includes("..")) return "must not contain two adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) return "must not look like an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(value)) return "must not start with xn--, sthree- or amzn-s3-demo-";
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(value)) return "must not end with a suffix AWS reserves";
  return undefined;
}

/** `S3_KEY_PREFIX` (Mastodon 4.3+): path segments of safe characters, no leading or trailing slash. */
export const keyPrefix = z
  .string()
  .regex(
    /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/,
    "must be path segments of letters, digits, '.', '_' or '-' joined by '/', without a leading or trailing '/'",
  )
  .refine((value) => !value.split("/").some((segment) => segment === "." || segment === ".."), {
    message: "must not contain '.' or '..' segments",
  })
  .refine((value) => value.length <= 200, { message: "must be at most 200 characters" });

/**
 * A media base as S3_ALIAS_HOST writes it: a host, optionally followed by the path every key sits under
 * (`files.example.com`, `files.example.com/social`). No scheme, no trailing slash.
 */
export const mediaBase = z.string().superRefine((value, ctx) => {
  const [host = "", ...segments] = value.split("/");
  const problem = hostnameProblem(host);
  const pathOk = segments.every((segment) => /^[A-Za-z0-9._-]+$/.test(segment) && segment !== "." && segment !== "..");
  if (problem || !pathOk) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be a media host with an optional key path and no scheme, e.g. files.example.com or files.example.com/social",
    });
  }
});

/** A browser origin allowed by CORS: `*`, or `https://host[:port]` with nothing after it. */
export const corsOrigin = z.string().superRefine((value, ctx) => {
  if (value === "*") return;
  const match = /^https:\/\/([^/:?#]+)(:\d{1,5})?$/.exec(value);
  const host = match?.[1];
  if (!host || hostnameProblem(host)) {
    ctx.addIssue({ code: "custom", message: "must be '*' or an origin like https://social.example.com (no path)" });
  }
});

export const lowercaseHex32 = (what: string) =>
  z.string().regex(/^[0-9a-f]{32}$/, `must be a ${what}: 32 lowercase hexadecimal characters`);

/** Pulumi stores structured config as JSON; a boolean may still arrive as the text "true". */
export const booleanFlag = z.preprocess(
  (value) => (value === "true" ? true : value === "false" ? false : value),
  z.boolean({ error: "must be true or false" }),
);
