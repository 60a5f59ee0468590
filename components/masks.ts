/**
 * Every value this project prints, or hands the program, in place of a real one, spelled once. A user may paste
 * any of them back into an env file: mastodon-env/placeholders.ts recognises each one there.
 */

/** A secret value not shown: the plan's secret outputs, the masked env block, verify's redaction, the host script's diff. */
export const SECRET_MASK = "[secret]";

/** How the plan prints a value the program could not know offline; the policy runner turns it back into an unknown. */
export const UNKNOWN_MASK = "[unknown]";

/** What the plan shows instead of a value only the provider knows, after deploy. */
export const MOCK_PLACEHOLDER = "(known after deploy)";

/** A `secure:` stack value cannot be decrypted offline; the offline plan's program receives this, marked secret. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";
