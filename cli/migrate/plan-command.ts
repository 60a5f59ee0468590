import type { VerifyTarget } from "../../mastodon-env/target";
import { KEYS_PER_RCLONE_RUN } from "./pass";
import { describeCommand, type CopySource } from "./rclone";
import {
  FRONT_REMOTE_OPTIONS,
  frontOptionVariable,
  OLDEST_RCLONE,
  passCommands,
  rcloneVersionProblem,
  type RcloneVersion,
} from "./rclone-version";

/** The line before the first front option (1.59 to 1.67 with today's options), shaped by no option at all. */
const OLDEST_USABLE: RcloneVersion = {
  major: OLDEST_RCLONE.major,
  minor: OLDEST_RCLONE.minor,
  patch: 0,
  text: `v${OLDEST_RCLONE.major}.${OLDEST_RCLONE.minor}.0`,
};

/**
 * The plan's "What it runs" lines (indented by two spaces): the rclone passes as `migrate --run` makes them
 * (./rclone-version.ts passCommands, which ./run.ts runs), for the keys' list files, with `--s3-no-head` as a
 * pass that checks (no `--no-check`) runs them. `rclone` is the version of the rclone on PATH where the plan is
 * printed (./rclone-version.ts readRcloneVersion), undefined when there is none: the passes are shaped for it
 * when --run would accept it, else for the lines before the first version-dependent setting, and where a pass
 * goes through migrate's front the settings --run adds on each rclone line are listed (the copy may run on
 * another machine, the web host, with another rclone). Credentials appear as variable names only
 * (./rclone.ts describeCommand).
 */
export function planCommandLines(
  source: CopySource,
  target: VerifyTarget,
  rclone: RcloneVersion | undefined,
): string[] {
  const tooOld = rclone ? rcloneVersionProblem(rclone) : undefined;
  const shapedFor = rclone && !tooOld ? rclone : OLDEST_USABLE;
  const commands = passCommands(
    source,
    target,
    { noHead: true, filesFrom: { media: "<keys to copy>", private: "<keys to copy privately>" } },
    shapedFor,
  );
  const front = commands.some((command) => command.aclFront);
  const lines = [
    `What it runs, for each list of at most ${KEYS_PER_RCLONE_RUN.toLocaleString("en-US")} keys (credentials reach rclone as RCLONE_CONFIG_*_ACCESS_KEY_ID/_SECRET_ACCESS_KEY`,
    "from the env files, never in argv; --run passes rclone no other RCLONE_* variable of its own environment):",
    ...commands.map((command) => `  ${describeCommand(command)}`),
  ];
  const firstOption = FRONT_REMOTE_OPTIONS[0];
  const before = firstOption ? `${OLDEST_RCLONE.major}.${OLDEST_RCLONE.minor} to ${lastBefore(firstOption.since)}` : "";
  if (!front) {
    lines.push(
      `Shaped for rclone ${rclone && !tooOld ? `${rclone.text}, the rclone on PATH here` : `${OLDEST_RCLONE.major}.${OLDEST_RCLONE.minor} or newer`}: without the front no setting depends on rclone's version.`,
    );
  } else if (rclone && !tooOld) {
    lines.push(
      `Shaped for rclone ${rclone.text}, the rclone on PATH here. --run reads \`rclone version\` where it runs; what it adds to DST by rclone line:`,
    );
  } else {
    lines.push(
      `Shaped for rclone ${before}: ${rclone ? `the rclone on PATH here is ${rclone.text}, which --run refuses (install rclone ${OLDEST_RCLONE.major}.${OLDEST_RCLONE.minor} or newer)` : "no rclone on PATH here (--run installs Debian's package when rclone is missing)"}. --run reads \`rclone version\` where it runs; what it adds to DST by rclone line:`,
    );
  }
  if (front) {
    lines.push(`  rclone ${before}: nothing`);
    FRONT_REMOTE_OPTIONS.forEach((option, index) => {
      const next = FRONT_REMOTE_OPTIONS[index + 1];
      const settings = FRONT_REMOTE_OPTIONS.slice(0, index + 1).map(
        (set) => `${frontOptionVariable(set.name)}=${set.value}`,
      );
      const to = next ? ` to ${lastBefore(next.since)}` : " or newer";
      lines.push(`  rclone ${option.since.major}.${option.since.minor}${to}: ${settings.join(" ")}`);
    });
  }
  return lines;
}

/** `1.67` for `{ major: 1, minor: 68 }` (the minor line before; rclone's minor numbers run on past 9). */
function lastBefore(since: { major: number; minor: number }): string {
  return since.minor > 0 ? `${since.major}.${since.minor - 1}` : `${since.major - 1}.x`;
}
