import { describeResponse, type HttpResponse } from "../io/http";
import { mediaUrl } from "../../mastodon-env/target";
import { defineCheck, fail, pass } from "../check";
import { networkFailure } from "../network-failure";

export const cors = defineCheck({
  id: "cors",
  title: "cross-origin GET and preflight get Access-Control-Allow-Origin (web UI, Elk, Phanpy fetch media)",
  needs: ["probe", "mediaServed"],
  retry: "deadline",
  async run(context) {
    // Browsers follow a redirect and judge CORS on the final answer.
    const url = context.state.servedUrl ?? mediaUrl(context.target, context.state.probe!.key);
    const { origin } = context;
    const allowed = (response: HttpResponse) => {
      const value = response.headers["access-control-allow-origin"];
      return value === "*" || value === origin;
    };
    const show = (response: HttpResponse) =>
      `${describeResponse(response)}, Access-Control-Allow-Origin: ${response.headers["access-control-allow-origin"] ?? "(none)"}`;
    let get: HttpResponse;
    let preflight: HttpResponse;
    try {
      get = await context.io.http(url, { headers: { origin }, signal: context.signal });
      preflight = await context.io.http(url, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET" },
        signal: context.signal,
      });
    } catch (error) {
      return networkFailure(context, `CORS requests to ${url}`, error);
    }
    const observed = [
      `GET with Origin: ${origin}: ${show(get)}`,
      `OPTIONS preflight (GET) from ${origin}: ${show(preflight)}${preflight.headers["access-control-allow-methods"] ? `, Access-Control-Allow-Methods: ${preflight.headers["access-control-allow-methods"]}` : ""}`,
    ];
    const preflightOk = preflight.status >= 200 && preflight.status < 300 && allowed(preflight);
    if (allowed(get) && preflightOk) return pass(...observed);
    return fail(
      observed,
      `no CORS rule allows ${origin}: the bucket's CORS rules (or the CDN's response headers policy) are missing or list other origins; browsers then refuse media to the web UI and apps like Elk or Phanpy`,
      "re-run `pulumi up` to restore the CORS rules (GET and HEAD, origins from corsOrigins); if the stack restricts origins, pass one of them with --origin; MinIO sets CORS server-wide (MINIO_API_CORS_ALLOW_ORIGIN)",
      true,
    );
  },
});
