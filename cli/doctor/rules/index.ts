import { addressing } from "./addressing";
import { apiEndpoint } from "./api-endpoint";
import { basics } from "./basics";
import { cacheBuster } from "./cache-buster";
import { checksum } from "./checksum";
import { endpoint } from "./endpoint";
import { extraMediaHosts } from "./extra-hosts";
import { keyPrefix } from "./key-prefix";
import { moveAcls } from "./move-acls";
import { mediaHost } from "./media-host";
import { permission } from "./permission";
import { previous } from "./previous";
import { r2Credential } from "./r2";
import { region } from "./region";
import { sdkOptions } from "./sdk-options";
import { serverRegion } from "./server-region";
import { transfer } from "./transfer";
import type { Rule } from "../finding";

/** Every rule doctor runs, in the order findings are printed (docs/troubleshooting.md lists each finding). */
export const RULES: readonly Rule[] = [
  basics,
  apiEndpoint,
  endpoint,
  addressing,
  region,
  serverRegion,
  permission,
  mediaHost,
  checksum,
  transfer,
  sdkOptions,
  r2Credential,
  extraMediaHosts,
  keyPrefix,
  previous,
  moveAcls,
  cacheBuster,
];
