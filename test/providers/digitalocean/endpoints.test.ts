import { describe, expect, it } from "vitest";
import { renderEnv } from "../../../components/env";
import { spacesEndpoint, spacesHostname, spacesStorageFacts } from "../../../providers/digitalocean/endpoints";

const credentials = {
  accessKeyId: "DO00EXAMPLEACCESSKEY",
  secretAccessKey: "EXAMPLEspacesSecretKey0000000000000000000000",
};

describe("spacesHostname", () => {
  it("puts the region slug in the host of the S3 API", () => {
    expect(spacesHostname("sgp1")).toBe("sgp1.digitaloceanspaces.com");
  });
});

describe("spacesEndpoint", () => {
  it("is the regional host over https", () => {
    expect(spacesEndpoint("nyc3")).toBe("https://nyc3.digitaloceanspaces.com");
  });
});

describe("spacesStorageFacts", () => {
  it("renders the Spaces block with the region slug, the regional endpoint, the checksum switches and object ACLs", () => {
    const facts = spacesStorageFacts("ams3", "example-social-media.ams3.cdn.digitaloceanspaces.com", credentials);
    const env = renderEnv({
      ...facts,
      ...credentials,
      bucket: "example-social-media",
      extraMediaHosts: [],
      aliasHost: "example-social-media.ams3.cdn.digitaloceanspaces.com",
    });
    expect(env).toBe(
      [
        "S3_ENABLED=true",
        "S3_BUCKET=example-social-media",
        "S3_REGION=ams3",
        "S3_PROTOCOL=https",
        "S3_ENDPOINT=https://ams3.digitaloceanspaces.com",
        "S3_HOSTNAME=ams3.digitaloceanspaces.com",
        "S3_ALIAS_HOST=example-social-media.ams3.cdn.digitaloceanspaces.com",
        "AWS_ACCESS_KEY_ID=DO00EXAMPLEACCESSKEY",
        "AWS_SECRET_ACCESS_KEY=EXAMPLEspacesSecretKey0000000000000000000000",
        "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED",
        "AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED",
        "S3_PERMISSION=public-read",
        "",
      ].join("\n"),
    );
  });
});
