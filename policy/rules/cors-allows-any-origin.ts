import { CORS_TYPES, corsSettingsOf } from "../extract/cors";
import type { ResourceRule } from "../rule";

/**
 * Restricting CORS origins is allowed (corsOrigins), but media is also fetched by other origins: the web
 * clients Elk and Phanpy, and other servers' web UIs showing boosted posts. Worth a second look, not a block.
 */
export const corsAllowsAnyOrigin: ResourceRule = {
  kind: "resource",
  name: "cors-allows-any-origin",
  description: "Checks whether CORS allows every origin ('*'); a shorter list breaks third-party Mastodon clients.",
  enforcementLevel: "advisory",
  severity: "low",
  resourceTypes: CORS_TYPES,
  validate(resource) {
    return corsSettingsOf(resource).flatMap((setting) =>
      setting.origins.length === 1 && setting.origins[0] === "*"
        ? []
        : [
            `CORS must allow any origin ('*') unless losing third-party clients (Elk, Phanpy...) is intended: found ${setting.origins.join(", ") || "no origin"}.`,
          ],
    );
  },
};
