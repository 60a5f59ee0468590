import { z } from "zod";
import { sshHostKey } from "./ssh-host-key";
import { hostnameProblem } from "./validators";

/**
 * `mastodonHost`: deliver the rendered env block to the Mastodon host over SSH (optional, off unless set).
 * `privateKey` and `accessToken` are secrets (`pulumi config set --secret --path ...`): their messages never
 * repeat the value, and the program wraps them in pulumi.secret before they reach any resource.
 */

/** A host name or an IPv4/IPv6 address SSH can reach. */
const sshHost = z.string().superRefine((value, ctx) => {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) || /^[0-9a-f:]+:[0-9a-f:]*$/i.test(value)) return;
  const problem = hostnameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem}, or an IP address` });
});

const absolutePath = (what: string) =>
  z
    .string()
    .regex(/^\/[^\0\n\r]*[^/]$/, `must be an absolute path to ${what}, e.g. /home/mastodon/live/.env.production`);

/**
 * How Mastodon is restarted after the edit: `systemd` (mastodon-web, mastodon-sidekiq, mastodon-streaming),
 * `none`, `{ dockerCompose: DIRECTORY, services?: [...] }` (the directory holding the compose file; the services
 * default to the compose file's web, streaming and sidekiq*), or `{ command: "..." }`.
 */
const restart = z.union(
  [
    z.enum(["systemd", "none"]),
    z.strictObject({
      dockerCompose: z
        .string()
        .regex(/^\/[^\0\n\r]*$/, "must be the absolute path of the directory holding docker-compose.yml"),
      /**
       * The compose services that read .env.production, when they are not Mastodon's own names (web,
       * streaming, sidekiq*: components/mastodon-host/compose.ts). Compose's service name syntax.
       */
      services: z
        .array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a compose service name such as web"))
        .min(1)
        .optional(),
    }),
    z.strictObject({ command: z.string().min(1, "must be a shell command") }),
  ],
  { error: "must be systemd, none, { dockerCompose: DIRECTORY } or { command: COMMAND }" },
);

export const mastodonHostBlock = z.strictObject({
  host: sshHost,
  port: z.number({ error: "must be a port number" }).int().min(1).max(65535).default(22),
  /** The SSH user: one that may write the env file and run the restart (sudo -n systemctl when not root). */
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_.-]{0,31}$/, "must be a Unix user name such as mastodon")
    .default("mastodon"),
  /** The SSH private key's text (secret). */
  privateKey: z
    .string({ error: "must be the text of an SSH private key, set with --secret" })
    .min(1, "must not be empty"),
  /** The host's public key (`ssh-ed25519 AAAA...`, from `ssh-keyscan`; ssh-host-key.ts); without it the host is not authenticated. */
  hostKey: sshHostKey.optional(),
  envPath: absolutePath("the env file Mastodon reads").default("/home/mastodon/live/.env.production"),
  restart: restart.default("systemd"),
  /** A Mastodon access token with write:media (secret): when set, the round trip through Mastodon runs after the restart. */
  accessToken: z
    .string({ error: "must be a Mastodon access token, set with --secret" })
    .min(1, "must not be empty")
    .optional(),
});

export type MastodonHostConfig = z.output<typeof mastodonHostBlock>;
