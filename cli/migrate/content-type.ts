/**
 * The Content-Type Mastodon stores with each file, from the file's extension. Paperclip names stored files
 * after their detected content type, and Mastodon keeps only these types (app/models/media_attachment.rb
 * IMAGE_MIME_TYPES, VIDEO_MIME_TYPES and the mp3 it transcodes audio to; app/models/custom_emoji.rb,
 * account.rb and preview_card.rb for images; backups are zip archives, app/models/backup.rb).
 * rclone sets the Content-Type of a local file from the same extension (Go's mime table, plus /etc/mime.types
 * from Debian's media-types package), so the check below compares the two.
 */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  heic: "image/heic",
  heif: "image/heif",
  mp4: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  zip: "application/zip",
};

/** The type for a key such as `media_attachments/files/1/2/3/original/x.jpg`; undefined for other extensions. */
export function expectedContentType(key: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase();
  return extension ? BY_EXTENSION[extension] : undefined;
}
