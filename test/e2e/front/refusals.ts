import type { IncomingHttpHeaders } from "node:http";

/**
 * Providers' documented refusals, injected in front of the real Ceph RGW. Each answers as the provider answered
 * in the public source cited; anything not refused goes through to RGW untouched (headers, Host and signature kept).
 */
export type Refusal =
  | "r2-acl"
  | "r2-acl-public-read"
  | "path-style-forbidden"
  | "r2-checksum"
  | "aws-acls-disabled"
  | "b2-checksum"
  | "no-multipart"
  | "no-put-object-acl";

export interface Refused {
  status: number;
  code: string;
  message: string;
}

const CHECKSUM_HEADER = /^x-amz-(checksum-[a-z0-9]+|sdk-checksum-algorithm)$/;

function checksumHeader(headers: IncomingHttpHeaders): string | undefined {
  return Object.keys(headers).find((name) => CHECKSUM_HEADER.test(name));
}

/** The refusal a request meets, or undefined to pass it through. `url` is the request's path and query. */
export function refusalFor(
  refusals: readonly Refusal[],
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
): Refused | undefined {
  const acl = headers["x-amz-acl"];
  const checksum = checksumHeader(headers);
  for (const refusal of refusals) {
    switch (refusal) {
      // Cloudflare R2 docs, "S3 API compatibility": PutObject's x-amz-acl is not implemented; Mastodon admins saw
      // "501 NotImplemented" on every upload with S3_PERMISSION set (mastodon/mastodon discussions on R2, 2022-2023).
      case "r2-acl":
        if (acl !== undefined)
          return {
            status: 501,
            code: "NotImplemented",
            message: "Header 'x-amz-acl' with value '" + String(acl) + "' not implemented",
          };
        break;
      // What is proven of R2 today: its 501 names the value public-read, while admins run S3_PERMISSION=private
      // without errors (mastodon/mastodon#34602, PR #20510's thread, humanmade/S3-Uploads#576, pixelfed/pixelfed#3775).
      case "r2-acl-public-read":
        if (acl === "public-read")
          return {
            status: 501,
            code: "NotImplemented",
            message: "Header 'x-amz-acl' with value 'public-read' not implemented",
          };
        break;
      // R2 in early 2025, after AWS SDKs started sending CRC32 by default: "501 NotImplemented: Header
      // 'x-amz-checksum-crc32' not implemented" (Cloudflare community, "R2 checksum errors with new AWS SDKs").
      case "r2-checksum":
        if (checksum) return { status: 501, code: "NotImplemented", message: `Header '${checksum}' not implemented` };
        break;
      // AWS S3 user guide, "Controlling ownership of objects and disabling ACLs": with BucketOwnerEnforced, requests
      // that set an ACL other than bucket-owner-full-control fail with 400 AccessControlListNotSupported.
      case "aws-acls-disabled":
        if (acl !== undefined && acl !== "bucket-owner-full-control")
          return { status: 400, code: "AccessControlListNotSupported", message: "The bucket does not allow ACLs" };
        break;
      // Backblaze B2 S3 API after the AWS SDK default-checksum change: 400 InvalidArgument "Unsupported header
      // 'x-amz-sdk-checksum-algorithm' received for this API call." (aws-sdk-ruby#3167 and B2 user reports).
      case "b2-checksum":
        if (checksum)
          return {
            status: 400,
            code: "InvalidArgument",
            message: `Unsupported header '${checksum}' received for this API call.`,
          };
        break;
      // Alibaba Cloud OSS ("Use Amazon S3 SDKs to access OSS": virtual-hosted style only): a signed request addressed
      // in path style (to the endpoint's own host, the bucket in the path) is answered 403 SecondLevelDomainForbidden.
      case "path-style-forbidden":
        if (headers.authorization && /^[\d.]+(:\d+)?$|^localhost(:\d+)?$/.test(String(headers.host ?? ""))) {
          return {
            status: 403,
            code: "SecondLevelDomainForbidden",
            message: "The bucket you are attempting to access must be addressed using OSS third level domain.",
          };
        }
        break;
      // Cloudflare R2 docs, "S3 API compatibility" (developers.cloudflare.com/r2/api/s3/api/): PutObjectAcl is among
      // the unimplemented object-level operations; a gateway that honours x-amz-acl on upload but not ACL changes
      // answers the same. PutObjectAcl is `PUT /BUCKET/KEY?acl`.
      case "no-put-object-acl":
        if (method === "PUT" && /[?&]acl(=|&|$)/.test(url))
          return {
            status: 501,
            code: "NotImplemented",
            message: "A header or query you provided implies functionality that is not implemented (PutObjectAcl)",
          };
        break;
      // Gateways without multipart support (mastodon/mastodon#26394 era reports): CreateMultipartUpload refused.
      case "no-multipart":
        if (method === "POST" && /[?&]uploads(=|&|$)/.test(url))
          return {
            status: 501,
            code: "NotImplemented",
            message: "A header or query you provided implies functionality that is not implemented (multipart uploads)",
          };
        break;
    }
  }
  return undefined;
}
