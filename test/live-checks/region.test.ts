import { describe, expect, it } from "vitest";
import { regionReport } from "../../live-checks/region";
import { recognizeProvider } from "../../mastodon-env/providers";
import type { VerifyTarget } from "../../mastodon-env/target";
import { AWS_ENV, targetOf } from "../helpers/target";

const R2_ACCOUNT = "0123456789abcdef0123456789abcdef";

const target = (env: Record<string, string>): VerifyTarget =>
  targetOf({ ...AWS_ENV, S3_REGION: undefined, S3_HOSTNAME: undefined, S3_ALIAS_HOST: undefined, ...env });

// What regionReport reads from a host name: the provider, the region and the bucket label in front of it.
describe("recognizeProvider (the region and bucket a host names)", () => {
  it("reads the region of AWS, Spaces and R2 API hosts, and the bucket in front of them", () => {
    const read = (host: string) => {
      const found = recognizeProvider(host);
      return found && { provider: found.provider.id, region: found.region, bucketLabel: found.bucketLabel };
    };
    expect(read("s3.eu-central-1.amazonaws.com")).toEqual({
      provider: "aws",
      region: "eu-central-1",
      bucketLabel: undefined,
    });
    expect(read("s3-us-west-2.amazonaws.com")).toEqual({
      provider: "aws",
      region: "us-west-2",
      bucketLabel: undefined,
    });
    expect(read("media.s3.dualstack.ap-southeast-2.amazonaws.com")).toEqual({
      provider: "aws",
      region: "ap-southeast-2",
      bucketLabel: "media",
    });
    expect(read("ams3.digitaloceanspaces.com")).toEqual({ provider: "spaces", region: "ams3", bucketLabel: undefined });
    expect(read("media.fra1.digitaloceanspaces.com")).toEqual({
      provider: "spaces",
      region: "fra1",
      bucketLabel: "media",
    });
    expect(read(`${R2_ACCOUNT}.eu.r2.cloudflarestorage.com`)).toEqual({
      provider: "r2",
      region: undefined,
      bucketLabel: undefined,
    });
    expect(read("storage.example.com")).toBeUndefined();
    expect(read("127.0.0.1")).toBeUndefined();
  });
});

describe("regionReport", () => {
  it("passes a Spaces env whose endpoint and hostname are in S3_REGION", () => {
    const report = regionReport(
      target({
        S3_REGION: "fra1",
        S3_ENDPOINT: "https://fra1.digitaloceanspaces.com",
        S3_HOSTNAME: "fra1.digitaloceanspaces.com",
      }),
    );
    expect(report).toEqual({
      observed: [
        "S3_ENDPOINT fra1.digitaloceanspaces.com is DigitalOcean Spaces in fra1, as S3_REGION says",
        "S3_HOSTNAME fra1.digitaloceanspaces.com is DigitalOcean Spaces in fra1, as S3_REGION says",
      ],
      problems: [],
    });
  });

  it("reports a Spaces endpoint of another region than S3_REGION", () => {
    const report = regionReport(
      target({
        S3_REGION: "ams3",
        S3_ENDPOINT: "https://nyc3.digitaloceanspaces.com",
        S3_ALIAS_HOST: "files.example.com",
      }),
    );
    expect(report.problems).toEqual([
      {
        cause:
          "region mismatch: S3_ENDPOINT nyc3.digitaloceanspaces.com is DigitalOcean Spaces in nyc3 but S3_REGION=ams3",
        fix: "set S3_REGION=nyc3 with S3_ENDPOINT nyc3.digitaloceanspaces.com, or point S3_ENDPOINT at ams3.digitaloceanspaces.com if the bucket is in ams3",
      },
    ]);
  });

  it("reports the bucket inside S3_ENDPOINT, where Mastodon adds it again", () => {
    const report = regionReport(
      target({
        S3_REGION: "fra1",
        S3_ENDPOINT: "https://example-social-media.fra1.digitaloceanspaces.com",
        S3_ALIAS_HOST: "files.example.com",
      }),
    );
    expect(report.problems).toEqual([
      {
        cause:
          "S3_ENDPOINT contains a bucket name (example-social-media.fra1.digitaloceanspaces.com): Mastodon adds the bucket itself in path style, so every key lands under example-social-media/... inside bucket example-social-media, and listing breaks",
        fix: "set S3_ENDPOINT=https://fra1.digitaloceanspaces.com",
      },
    ]);
  });

  it("requires the region auto (or us-east-1) on R2", () => {
    const env = { S3_ENDPOINT: `https://${R2_ACCOUNT}.r2.cloudflarestorage.com`, S3_ALIAS_HOST: "files.example.com" };
    expect(regionReport(target({ ...env, S3_REGION: "auto" })).problems).toEqual([]);
    expect(regionReport(target({ ...env, S3_REGION: "eu-central-1" })).problems).toEqual([
      {
        cause: "Cloudflare R2 signs with the region auto or us-east-1, but S3_REGION=eu-central-1",
        fix: "set S3_REGION=auto",
      },
    ]);
  });

  it("compares S3_HOSTNAME on AWS only when there is no alias host", () => {
    const env = { S3_REGION: "eu-central-1", S3_HOSTNAME: "s3.eu-west-1.amazonaws.com" };
    expect(regionReport(target({ ...env, S3_ALIAS_HOST: "files.example.com" })).problems).toEqual([]);
    expect(regionReport(target(env)).problems).toEqual([
      {
        cause:
          "region mismatch: S3_HOSTNAME s3.eu-west-1.amazonaws.com is AWS S3 in eu-west-1 but S3_REGION=eu-central-1",
        fix: "set S3_REGION=eu-west-1 with S3_HOSTNAME s3.eu-west-1.amazonaws.com, or point S3_HOSTNAME at s3.eu-central-1.amazonaws.com if the bucket is in eu-central-1",
      },
    ]);
  });

  it("accepts an upper-case site region on a self-hosted server (MinIO's MINIO_SITE_REGION=EU1)", () => {
    const minio = targetOf({
      S3_ENABLED: "true",
      S3_BUCKET: "media",
      S3_REGION: "EU1",
      S3_ENDPOINT: "https://s3.example.com",
      S3_HOSTNAME: "s3.example.com",
      S3_ALIAS_HOST: "files.example.com",
      AWS_ACCESS_KEY_ID: "k",
      AWS_SECRET_ACCESS_KEY: "s",
    });
    expect(regionReport(minio).problems).toEqual([]);
  });

  it("reads the region of every provider the model recognises (Scaleway, B2, Wasabi...)", () => {
    const scaleway = target({
      S3_REGION: "fr-par",
      S3_ENDPOINT: "https://s3.nl-ams.scw.cloud",
      S3_ALIAS_HOST: "files.example.com",
    });
    expect(regionReport(scaleway).problems[0]?.cause).toBe(
      "region mismatch: S3_ENDPOINT s3.nl-ams.scw.cloud is Scaleway Object Storage in nl-ams but S3_REGION=fr-par",
    );
    const b2 = target({
      S3_REGION: "eu-central-003",
      S3_ENDPOINT: "https://s3.eu-central-003.backblazeb2.com",
      S3_ALIAS_HOST: "files.example.com",
    });
    expect(regionReport(b2).problems).toEqual([]);
  });

  it("says that a custom endpoint decides the region itself", () => {
    const report = regionReport(
      target({
        S3_REGION: "us-east-1",
        S3_ENDPOINT: "https://minio.example.com:9000",
        S3_ALIAS_HOST: "files.example.com",
      }),
    );
    expect(report).toEqual({
      observed: [
        "S3_ENDPOINT minio.example.com: MinIO, no region in the name; the server decides (requests are signed for us-east-1)",
      ],
      problems: [],
    });
  });
});
