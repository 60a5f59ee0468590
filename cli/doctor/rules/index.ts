import { basics } from "./basics";
import { cacheBuster } from "./cache-buster";
import { checksum } from "./checksum";
import { endpoint } from "./endpoint";
import { extraMediaHosts } from "./extra-hosts";
import { keyPrefix } from "./key-prefix";
import { mediaHost } from "./media-host";
import { permission } from "./permission";
import { previous } from "./previous";
import { r2Credential } from "./r2";
import { region } from "./region";
import { transfer } from "./transfer";
import type { Rule } from "../finding";

/** Every rule doctor runs, in the order findings are printed (docs/troubleshooting.md lists each finding). */
export const RULES: readonly Rule[] = [basics, endpoint, region, permission, mediaHost, checksum, transfer, r2Credential, extraMediaHosts, keyPrefix, previous, cacheBuster];
