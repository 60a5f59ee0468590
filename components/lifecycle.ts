/** Incomplete multipart uploads cost storage until aborted; Mastodon leaves them behind when an upload fails. */
export const ABORT_INCOMPLETE_MULTIPART_DAYS = 7;
export const ABORT_INCOMPLETE_MULTIPART_RULE_ID = "abort-incomplete-multipart-uploads";
