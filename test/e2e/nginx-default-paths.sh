#!/usr/bin/env bash
# The MinIO stack's nginx snippet in Debian's nginx with its DEFAULT paths, set up exactly as docs/minio.md ("The
# first deploy with a media domain") has the admin do it, in a private mount and network namespace (run by
# test/e2e/minio-nginx-default-paths.test.ts under `unshare -m -n`): /var/cache, /run, /var/log/nginx and
# /var/lib/nginx are empty tmpfs (what nginx finds there is only what Debian's packages create), /etc/nginx is a
# copy of the machine's Debian configuration. Only the two ssl_certificate lines are changed (docs/minio.md says
# to edit them when the certificate lives elsewhere). Argument: a folder with nginxConfig, cert.pem, key.pem, map.
set -euo pipefail
D=$1
DOMAIN=files.example.com
for dir in /var/cache /run /var/log/nginx /var/lib/nginx; do mount -t tmpfs -o mode=755 tmpfs "$dir"; done
cp -a /etc/nginx "$D/etc-nginx"
rm -rf "$D/etc-nginx/mastodon-media" "$D/etc-nginx/sites-enabled/$DOMAIN"
mount --bind "$D/etc-nginx" /etc/nginx
ip link set lo up
trap '[ -f /run/nginx.pid ] && kill "$(cat /run/nginx.pid)" 2>/dev/null || true' EXIT

ask() { # ask SECRET|-: the media host's answer headers (a media path; the upstream is down, so 502)
  local header=()
  [ "$1" != - ] && header=(-H "Mastodon-Cache-Buster: $1")
  curl -sk -o /dev/null -D - --resolve "$DOMAIN:443:127.0.0.1" "${header[@]}" "https://$DOMAIN/media_attachments/files/000/000/001/original/a.png" | tr -d '\r' | grep -i '^x-cache' | sort || true
}

echo "== before pulumi up"
config=$(sed -e "s#/etc/letsencrypt/live/$DOMAIN/fullchain.pem#$D/cert.pem#" -e "s#/etc/letsencrypt/live/$DOMAIN/privkey.pem#$D/key.pem#" "$D/nginxConfig")
printf '%s\n' "$config" > /etc/nginx/sites-available/$DOMAIN
ln -s ../sites-available/$DOMAIN /etc/nginx/sites-enabled/
nginx -t 2>&1
nginx   # systemctl reload nginx, where no systemd runs
for _ in $(seq 100); do curl -sk -o /dev/null --resolve "$DOMAIN:443:127.0.0.1" "https://$DOMAIN/" && break; sleep 0.1; done
echo "cache owner: $(stat -c %U "/var/cache/mastodon-media-$DOMAIN")"
echo "-- bust"; ask "$(cat "$D/secret")"
echo "-- ordinary"; ask -

echo "== after pulumi up"
cat "$D/map" | install -D -m 600 /dev/stdin /etc/nginx/mastodon-media/$DOMAIN.cache-buster.conf && nginx -t 2>&1 && nginx -s reload
echo "map mode: $(stat -c %a /etc/nginx/mastodon-media/$DOMAIN.cache-buster.conf)"
for _ in $(seq 100); do ask "$(cat "$D/secret")" | grep -qi bypass && break; sleep 0.1; done
echo "-- bust"; ask "$(cat "$D/secret")"
echo "-- wrong secret"; ask wrongwrongwrongwrong
echo "-- ordinary"; ask -
echo "== done"
