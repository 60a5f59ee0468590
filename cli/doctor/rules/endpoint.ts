import { isPrivateHost } from "../../../mastodon-env/providers";
import { finding, type Finding, type Rule } from "../finding";

/**
 * S3_ENDPOINT as the SDK reads it. paperclip.rb: `if ENV.key?('S3_ENDPOINT')` passes `endpoint: ENV['S3_ENDPOINT']`
 * and `force_path_style: true`: an EMPTY value still takes that branch, and aws-sdk-core refuses an empty endpoint
 * when it builds the client (Aws::Errors::InvalidEndpoint... "expected :endpoint to be a HTTP or HTTPS endpoint").
 * With path style the SDK adds the bucket to the path itself: a bucket in the endpoint host or path is doubled.
 */
export const endpoint: Rule = ({ env, values, provider }) => {
  const found: Finding[] = [];
  if (env.vars.S3_ENDPOINT.state === "empty") {
    found.push(
      finding(
        "endpoint-empty",
        "error",
        "S3_ENDPOINT",
        "S3_ENDPOINT is present but empty: Mastodon still passes it to the AWS SDK, which refuses to build a client, so every upload and the boot of Sidekiq fail",
        provider.provider.id === "aws"
          ? "remove the S3_ENDPOINT line (AWS needs none)"
          : "remove the line, or write the provider's endpoint, e.g. S3_ENDPOINT=https://fra1.digitaloceanspaces.com",
      ),
    );
    return found;
  }
  if (values.get("S3_OVERRIDE_PATH_STYLE") !== undefined && !env.endpointPresent) {
    found.push(
      finding(
        "override-path-style-ignored",
        "info",
        "S3_OVERRIDE_PATH_STYLE",
        "S3_OVERRIDE_PATH_STYLE only matters with S3_ENDPOINT; without it the SDK talks to AWS in virtual-host style anyway",
        "remove the S3_OVERRIDE_PATH_STYLE line",
      ),
    );
  }
  const raw = env.endpoint;
  if (!raw) return found;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    found.push(
      finding(
        "endpoint-not-url",
        "error",
        "S3_ENDPOINT",
        "S3_ENDPOINT is not a URL: the AWS SDK refuses to start",
        "write it as https://HOST, e.g. S3_ENDPOINT=https://fra1.digitaloceanspaces.com",
      ),
    );
    return found;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    found.push(
      finding(
        "endpoint-scheme",
        "error",
        "S3_ENDPOINT",
        `S3_ENDPOINT starts with ${url.protocol}//: the SDK only speaks http and https`,
        `write S3_ENDPOINT=https://${url.host}`,
      ),
    );
    return found;
  }
  const right = provider.bucketLabel ? `https://${provider.apiHost}` : `${url.protocol}//${url.host}`;
  if (url.protocol === "http:") {
    if (isPrivateHost(url.hostname)) {
      found.push(
        finding(
          "endpoint-http-private",
          "info",
          "S3_ENDPOINT",
          `S3_ENDPOINT uses plain http to ${url.hostname}, a private-network or loopback host: valid, since the writer's credential stays inside that network; public URLs use S3_PROTOCOL${env.protocol === "https" ? "=https, which is right when a TLS proxy serves media" : ""}`,
          "nothing to change if that network is trusted; S3_PROTOCOL only sets the scheme of public media URLs",
        ),
      );
    } else {
      found.push(
        finding(
          "endpoint-http",
          "error",
          "S3_ENDPOINT",
          `S3_ENDPOINT uses plain http to a public host (${url.hostname}): the writer's signed requests and every upload cross the internet unencrypted`,
          `write S3_ENDPOINT=https://${provider.apiHost}`,
        ),
      );
    }
  }
  if (provider.bucketLabel) {
    found.push(
      finding(
        "bucket-in-endpoint",
        "error",
        "S3_ENDPOINT",
        `S3_ENDPOINT names the bucket (${provider.bucketLabel}.${provider.apiHost}), as the provider's console shows it: Mastodon calls it in path style and adds the bucket itself, so every key lands under ${env.bucket ?? "BUCKET"}/... in the wrong place, media URLs break, and \`tootctl media remove-orphans\` fails ("The specified key does not exist")`,
        `write S3_ENDPOINT=${right}${provider.bucketLabel !== env.bucket ? ` and check S3_BUCKET (the endpoint names ${provider.bucketLabel})` : ""}`,
        ["writer-upload", "writer-list", "public-read", "writer-cannot-create-bucket", "writer-cannot-change-policy"],
      ),
    );
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    const pathHasBucket = env.bucket !== undefined && url.pathname.split("/").includes(env.bucket);
    found.push(
      finding(
        "endpoint-path",
        "error",
        "S3_ENDPOINT",
        `S3_ENDPOINT carries a path (${url.pathname})${pathHasBucket ? ", the bucket name" : ""}: the SDK puts the bucket and key after it, so requests go to the wrong place`,
        `write S3_ENDPOINT=${right}`,
        ["writer-upload"],
      ),
    );
  }
  return found;
};
