import { z } from "zod";

/**
 * `mastodonHost.hostKey`: the Mastodon host's public host key, as `ssh-keyscan` prints it after the host name
 * (`TYPE BASE64`).
 *
 * Only key types the SSH delivery can verify against a current OpenSSH server are accepted: ed25519 and ECDSA.
 * @pulumi/command (1.2.1, provider/pkg/provider/remote/connection.go) pins the handshake to the given key's
 * type (`HostKeyAlgorithms: []string{publicKey.Type()}`, golang.org/x/crypto/ssh). For an RSA key that type is
 * `ssh-rsa`, the RSA signature over SHA-1, which OpenSSH 8.8 and later no longer offer (OpenSSH 8.8 release
 * notes, "Potentially-incompatible changes": the ssh-rsa signature algorithm is disabled by default); the
 * connection then fails with "no common algorithm for host key". Writing the line as `rsa-sha2-256` or
 * `rsa-sha2-512` changes nothing: the key's type comes from its encoded blob, which says `ssh-rsa`
 * (RFC 8332, section 3: RSA keys keep the `ssh-rsa` key format; only the signature names are new).
 */
const ACCEPTED = /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}$/;
const RSA = /^(ssh-rsa|rsa-sha2-256|rsa-sha2-512) /;

export const sshHostKey = z.string().superRefine((value, ctx) => {
  const line = value.trim();
  if (RSA.test(line)) {
    ctx.addIssue({
      code: "custom",
      message:
        "is an RSA host key: the SSH delivery can verify it only with ssh-rsa (SHA-1) signatures, which OpenSSH 8.8+ servers refuse. Use the host's ed25519 key: ssh-keyscan -t ed25519 HOST | cut -d' ' -f2- (or ecdsa: -t ecdsa)",
    });
  } else if (!ACCEPTED.test(line)) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be a public host key line such as `ssh-ed25519 AAAA...` (ssh-keyscan -t ed25519 HOST prints it after the host name)",
    });
  }
});
