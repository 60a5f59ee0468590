/**
 * The merge of merge.ts in POSIX awk (mawk, gawk and busybox awk), for the Mastodon host, where neither Node
 * nor this project is installed. Same rules, line for line; test/e2e/deliver-sshd.test.ts runs both on the same
 * fixtures. Variables: `blockfile` (the rendered block), `locations` (LOCATION_VARIABLES, space-separated).
 */
export const MERGE_AWK = String.raw`
function closes(s,   i, c) {
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\") { i++; continue }
    if (c == "\"") return 1
  }
  return 0
}
function emit(exported,   i, p) {
  p = exported ? "export " : ""
  for (i = 1; i <= n; i++) printf "%s%s%s\n", p, blk[i], cr
  inserted = 1
}
BEGIN {
  n = 0
  while ((getline line < blockfile) > 0) {
    sub(/\r$/, "", line)
    if (line ~ /^[ \t]*$/) continue
    blk[++n] = line
    name = line
    sub(/^[ \t]*(export[ \t]+)?/, "", name)
    sub(/[ \t]*=.*$/, "", name)
    managed[name] = 1
  }
  close(blockfile)
  m = split(locations, loc, " ")
  for (i = 1; i <= m; i++) managed[loc[i]] = 1
  quote = ""
  inserted = 0
  cr = ""
}
NR == 1 && /\r$/ { cr = "\r" }
{
  raw = $0
  body = raw
  sub(/\r$/, "", body)
  if (quote != "") {
    if (quote == "keep") print raw
    if (closes(body)) quote = ""
    next
  }
  if (match(body, /^[ \t]*(export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*[ \t]*=/)) {
    head = substr(body, 1, RLENGTH)
    rest = substr(body, RLENGTH + 1)
    exported = (head ~ /^[ \t]*export[ \t]/)
    name = head
    sub(/^[ \t]*(export[ \t]+)?/, "", name)
    sub(/[ \t]*=$/, "", name)
    sub(/^[ \t]*/, "", rest)
    opens = (substr(rest, 1, 1) == "\"" && !closes(substr(rest, 2)))
    if (name in managed) {
      if (!inserted) emit(exported)
      if (opens) quote = "drop"
      next
    }
    if (opens) quote = "keep"
  }
  print raw
}
END { if (!inserted) emit(0) }
`;
