import { withKeyPrefix } from "../components/prefixes";

/**
 * Where Mastodon stores a record's files, so that a takedown by id reaches every copy.
 *
 * config/initializers/paperclip.rb: every key is `[S3_KEY_PREFIX/]:prefix_url:class/:attachment/:id_partition/:style/:filename`,
 * where `:prefix_url` is `cache/` for a remote record (storage_schema_version 1 and later; older remote files have
 * none), `:class` the pluralised model (`media_attachments`, `accounts`), `:attachment` the pluralised attachment
 * name. The styles: app/models/media_attachment.rb (`file`: original and small, with converted formats;
 * `thumbnail`: original), app/models/concerns/account/avatar.rb and header.rb (original, and static for a GIF).
 * The file name of each style is not derivable from the id (`:filename`: the stored original name, or its basename
 * with the style's format), so a takedown by id names the partition FOLDER: every style, whatever its file name.
 */

/**
 * A key to purge: one object (with, for a media attachment's file, the attachment's folder, which a CDN that
 * purges folders purges instead, so that every style goes), or a folder (ends with `/`) with every object under it.
 */
export type PurgeTarget = { kind: "file"; key: string; attachmentFolder?: string } | { kind: "folder"; key: string };

/** kt-paperclip lib/paperclip/interpolations.rb `ID_PARTITION_LIMIT`. */
const ID_PARTITION_LIMIT = 1_000_000_000n;

/**
 * Paperclip's `:id_partition` of an integer id (kt-paperclip, lib/paperclip/interpolations.rb): zero-padded to 9
 * digits below 10^9, else to 12, then cut into groups of three digits (a remainder of one or two digits is
 * dropped, as `scan(/\d{3}/)` drops it). `1234` -> `000/001/234`; a Snowflake id of 18 digits -> six groups.
 * Throws on anything but decimal digits (the caller checks the user's input first).
 */
export function idPartition(id: string): string {
  if (!/^\d{1,19}$/.test(id)) throw new Error(`idPartition: not a record id: ${JSON.stringify(id)}`);
  const value = BigInt(id);
  const padded = value.toString().padStart(value < ID_PARTITION_LIMIT ? 9 : 12, "0");
  return (padded.match(/\d{3}/g) ?? []).join("/");
}

/** Whether `text` is a record id Mastodon could have: decimal digits, within PostgreSQL's bigint. */
export function isRecordId(text: string): boolean {
  return /^\d{1,19}$/.test(text) && BigInt(text) > 0n && BigInt(text) <= 9223372036854775807n;
}

/** A media attachment's folders: its file (every style) and its thumbnail, local and remote (`cache/`). */
export function attachmentFolders(id: string, keyPrefix?: string): PurgeTarget[] {
  const partition = idPartition(id);
  return ["", "cache/"].flatMap((cache) =>
    ["files", "thumbnails"].map((attachment): PurgeTarget => ({
      kind: "folder",
      key: withKeyPrefix(`${cache}media_attachments/${attachment}/${partition}/`, keyPrefix),
    })),
  );
}

/** An account's avatar and header folders (every style), local and remote (`cache/`). */
export function accountFolders(id: string, keyPrefix?: string): PurgeTarget[] {
  const partition = idPartition(id);
  return ["", "cache/"].flatMap((cache) =>
    ["avatars", "headers"].map((attachment): PurgeTarget => ({
      kind: "folder",
      key: withKeyPrefix(`${cache}accounts/${attachment}/${partition}/`, keyPrefix),
    })),
  );
}

/** `[prefix/][cache/]media_attachments/(files|thumbnails)/PARTITION/STYLE/FILE`: the attachment's folder. */
const ATTACHMENT_FILE = /^((?:.+\/)?(?:cache\/)?media_attachments\/(?:files|thumbnails)(?:\/\d{3})+\/)[a-z_]+\/[^/]+$/;

/** The target for one media key given by URL, with its attachment's partition folder when it is an attachment's file. */
export function keyTarget(key: string): PurgeTarget {
  const attachment = ATTACHMENT_FILE.exec(key);
  return attachment ? { kind: "file", key, attachmentFolder: attachment[1] as string } : { kind: "file", key };
}
