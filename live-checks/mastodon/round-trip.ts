import { randomBytes } from "node:crypto";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { fail, pass, skip, warn, type Check, type CheckContext, type CheckOutcome } from "../check";
import { diagnoseS3 } from "../diagnose";
import { errorCode } from "../io/http";
import type { CheckResult } from "../runner";
import { describeFailure, formatFailure } from "../io/s3";
import { systemClock, type Clock } from "../retry";
import { MastodonApi, type MediaAttachment } from "./api";
import { confirmGone } from "./confirm-gone";
import { diagnoseApi, RESTART } from "./diagnose";
import { readMediaUrl } from "./media-url";
import { storageCheckPng } from "./png";
import { readyCheck } from "./ready-check";
import { servedProblems } from "./served";
import { hasMediaDelete, MASTODON_VACUUM, notFoundKind, type MastodonVersion } from "./version";

/** How long an upload may stay in processing (206) before the check gives up: images take seconds. */
export const MAX_PROCESSING_MS = 60_000;
const POLL_MS = 1_000;

export interface RoundTripOptions {
  clock?: Clock;
  fetchImpl?: typeof fetch;
  /** A progress line while waiting for Mastodon to start. */
  progress?(line: string): void;
  /** Bound of the wait for /health, in ms (ready.ts MAX_START_MS). */
  maxStartMs?: number;
}

export interface MastodonTarget {
  /** The instance, e.g. https://social.example.com (origin only). */
  url: URL;
  /** MASTODON_ACCESS_TOKEN: a token with write:media. Never printed; verify's redact() masks it. */
  token: string;
}

/**
 * Seed 001's check through Mastodon itself: upload a fresh PNG (POST /api/v2/media), wait while Mastodon
 * processes it, read where Mastodon put it, find it in the bucket, fetch it as a browser would, delete it
 * (DELETE /api/v1/media/:id) and confirm it is gone. Only the attachment uploaded by this run is ever deleted,
 * and Mastodon refuses to delete one a status uses.
 */
export class MastodonRoundTrip {
  private api?: MastodonApi;
  private ready = false;
  private version?: MastodonVersion;
  /** What is left for Mastodon's own cleanup because this version cannot delete it: reported, not a failure. */
  private readonly leftToMastodon: string[] = [];
  private attachment?: MediaAttachment;
  private uploadedId?: string;
  private deleted = false;
  private keys: string[] = [];
  readonly runId = randomBytes(6).toString("hex");

  constructor(
    private readonly target: MastodonTarget,
    /** The results so far (the storage checks), read when Mastodon answers 5xx. */
    private readonly earlier: () => readonly CheckResult[],
    private readonly options: RoundTripOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;

  /** The checks, in the order they run (after the storage checks). */
  checks(): Check[] {
    return [
      {
        id: "mastodon-ready",
        title: "Mastodon answers (GET /health, waiting while it starts) and names its version (GET /api/v2/instance)",
        run: (c) => this.waitReady(c),
      },
      {
        id: "mastodon-upload",
        title: "Mastodon accepts an image upload (POST /api/v2/media)",
        run: (c) => this.upload(c),
      },
      {
        id: "mastodon-processed",
        title: "Mastodon finishes processing it (GET /api/v1/media/:id)",
        run: (c) => this.processed(c),
      },
      {
        id: "mastodon-media-url",
        title: "Its url and preview_url are on the media host, under S3_KEY_PREFIX",
        run: (c) => this.urls(c),
      },
      {
        id: "mastodon-object-stored",
        title: "Both files are in the bucket (HEAD with the writer's key)",
        run: (c) => this.stored(c),
      },
      {
        id: "mastodon-media-served",
        title: "Both URLs answer 200 with an image, CORS and Mastodon's Cache-Control",
        run: (c) => this.served(c),
      },
      {
        id: "mastodon-delete",
        title: "The test attachment is deleted (DELETE /api/v1/media/:id) and gone",
        run: (c) => this.remove(c),
      },
    ];
  }

  private client(context: CheckContext): MastodonApi {
    this.api ??= new MastodonApi(this.target.url, this.target.token, context.signal, this.clock, this.fetchImpl);
    return this.api;
  }

  /** Attachments this run uploaded that only Mastodon's own cleanup will remove (4.3: no DELETE route). */
  handedOver(): string[] {
    return [...this.leftToMastodon];
  }

  private async waitReady(context: CheckContext): Promise<CheckOutcome> {
    const options = {
      signal: context.signal,
      clock: this.clock,
      fetchImpl: this.fetchImpl,
      maxMs: this.options.maxStartMs,
      progress: this.options.progress,
    };
    const { outcome, ready, version } = await readyCheck(this.target.url, this.client(context), options);
    this.ready = ready;
    this.version = version;
    return outcome;
  }

  private async upload(context: CheckContext): Promise<CheckOutcome> {
    if (!this.ready) return skip("skipped: needs mastodon-ready to pass first");
    const description = `mastodon-media storage check ${this.runId}: a temporary upload, deleted by verify`;
    const answer = await this.client(context).upload(storageCheckPng(), `storage-check-${this.runId}.png`, description);
    if ((answer.status === 200 || answer.status === 202) && answer.body?.id) {
      this.attachment = answer.body;
      this.uploadedId = answer.body.id;
      const waits =
        answer.rateLimitedWaits > 0 ? ` after ${answer.rateLimitedWaits} rate limit wait(s) (Retry-After)` : "";
      return pass(
        `POST /api/v2/media: ${answer.status}${answer.status === 202 ? " (processing)" : ""}, attachment ${answer.body.id}${waits}`,
      );
    }
    return diagnoseApi("POST /api/v2/media", answer, this.earlier(), this.target.url.origin);
  }

  private async processed(context: CheckContext): Promise<CheckOutcome> {
    if (!this.attachment) return skip("skipped: needs mastodon-upload to pass first");
    if (this.attachment.url) return pass("processed at once (200 with a url)");
    const started = this.clock.now();
    let polls = 0;
    for (;;) {
      await this.clock.sleep(POLL_MS, context.signal);
      const answer = await this.client(context).get(this.attachment.id);
      polls++;
      if (answer.status === 200 && answer.body?.url) {
        this.attachment = answer.body;
        return pass(
          `GET /api/v1/media/${this.attachment.id}: 200 with a url after ${polls} poll(s), ${Math.round((this.clock.now() - started) / 1000)} s`,
        );
      }
      const processing =
        answer.status === 206 || ((answer.status === 200 || answer.status === 202) && !answer.body?.url);
      if (!processing)
        return diagnoseApi(`GET /api/v1/media/${this.attachment.id}`, answer, this.earlier(), this.target.url.origin);
      if (this.clock.now() - started >= MAX_PROCESSING_MS) {
        return fail(
          [
            `still processing (${answer.status}, url null) after ${polls} polls over ${Math.round(MAX_PROCESSING_MS / 1000)} s`,
          ],
          "Mastodon's sidekiq does not process media: it is stopped, behind, or cannot write to the storage",
          `check \`systemctl status mastodon-sidekiq\` and its log; ${RESTART}`,
        );
      }
    }
  }

  private async urls(context: CheckContext): Promise<CheckOutcome> {
    if (!this.attachment?.url) return skip("skipped: needs mastodon-processed to pass first");
    const observed: string[] = [];
    const problems: { problem: string; observed: string }[] = [];
    for (const [field, url] of [
      ["url", this.attachment.url],
      ["preview_url", this.attachment.preview_url],
    ] as const) {
      const result = readMediaUrl(context.target, url, this.target.url.host);
      if (result.ok) {
        this.keys.push(result.key);
        observed.push(`${field}: ${url}`);
      } else {
        problems.push(result);
        observed.push(`${field}: ${result.observed}`);
      }
    }
    if (problems.length === 0) return pass(...observed);
    const kinds = new Set(problems.map((p) => p.problem));
    if (kinds.has("local-storage")) {
      return fail(
        observed,
        "Mastodon still stores media on its own disk: the env it runs with has no S3_ENABLED=true",
        `add the block to the .env.production Mastodon reads, then ${RESTART}`,
      );
    }
    if (kinds.has("wrong-host") || kinds.has("wrong-prefix") || kinds.has("missing")) {
      return fail(
        observed,
        "the env Mastodon runs with differs from the one verified here (S3_ALIAS_HOST, S3_HOSTNAME, S3_BUCKET or S3_KEY_PREFIX): it was not restarted after the edit, or it reads another file (Docker's env_file, a systemd EnvironmentFile)",
        `put the verified block in the file Mastodon reads, then ${RESTART}`,
      );
    }
    return fail(
      observed,
      "Mastodon returned URLs that are not attachment files",
      "compare Mastodon's version and the env it runs with",
    );
  }

  private async stored(context: CheckContext): Promise<CheckOutcome> {
    if (this.keys.length < 2) return skip("skipped: needs mastodon-media-url to pass first");
    const observed: string[] = [];
    for (const key of this.keys) {
      try {
        await context.io.s3.send(new HeadObjectCommand({ Bucket: context.target.facts.bucket, Key: key }), {
          abortSignal: context.signal,
        });
        observed.push(`HEAD ${key}: 200`);
      } catch (error) {
        const failure = describeFailure(error, context.redact);
        observed.push(`HEAD ${key}: ${formatFailure(failure)}`);
        if (failure.status === 404 || failure.code === "NotFound" || failure.code === "NoSuchKey") {
          return fail(
            observed,
            "Mastodon links the media host but wrote the file elsewhere: another bucket or endpoint than the env verified here",
            `put the verified block in the env Mastodon reads, then ${RESTART}`,
          );
        }
        const diagnosis = diagnoseS3(failure, context.target, "s3:GetObject");
        return fail(observed, `could not look in the bucket: ${diagnosis.cause}`, diagnosis.fix);
      }
    }
    return pass(...observed);
  }

  private async served(context: CheckContext): Promise<CheckOutcome> {
    if (!this.attachment?.url || this.keys.length < 2) return skip("skipped: needs mastodon-media-url to pass first");
    const observed: string[] = [];
    const causes: string[] = [];
    for (const url of [this.attachment.url, this.attachment.preview_url as string]) {
      try {
        const response = await context.io.http(url, { headers: { origin: context.origin }, signal: context.signal });
        const problems = servedProblems(response, context.origin);
        observed.push(
          `GET ${url}: ${response.status}, ${response.headers["content-type"] ?? "no content-type"}${problems.length ? `; ${problems.join("; ")}` : ""}`,
        );
        causes.push(...problems);
      } catch (error) {
        observed.push(`GET ${url}: no answer (${errorCode(error)})`);
        causes.push(`the media host did not answer (${errorCode(error)})`);
      }
    }
    if (causes.length === 0) return pass(...observed);
    return fail(
      observed,
      [...new Set(causes)].join("; "),
      "serve media straight from the bucket's headers: the CDN or proxy must keep the object's Cache-Control and Content-Type and add Access-Control-Allow-Origin (see the cors and public-read checks)",
    );
  }

  private async remove(context: CheckContext): Promise<CheckOutcome> {
    if (!this.uploadedId) return skip("skipped: nothing was uploaded");
    const id = this.uploadedId;
    if (this.version && !hasMediaDelete(this.version)) {
      return this.handOver(id, [
        `Mastodon ${this.version.text} has no DELETE /api/v1/media/:id (added in 4.4): not called`,
      ]);
    }
    const api = this.client(context);
    const answer = await api.remove(id);
    if (answer.status === 404) {
      const said = `DELETE /api/v1/media/${id}: 404${answer.error ? ` "${answer.error}"` : ""}`;
      const kind = notFoundKind(answer.error);
      if (kind === "no-route")
        return this.handOver(id, [`${said} (Mastodon's catch-all route: no such call before 4.4)`]);
      if (kind === "no-record") {
        this.deleted = true;
        return fail(
          [said],
          "Mastodon no longer knows the attachment this run uploaded a moment ago: something else deleted it",
          "run verify again; if it persists, report it with this output",
        );
      }
      return fail(
        [said],
        "a 404 that is not Mastodon's API (no JSON error entity): a proxy in front of Mastodon answers for /api/v1/media",
        "make the reverse proxy pass /api/ to Mastodon (Mastodon's dist/nginx.conf), then run verify again",
      );
    }
    if (answer.status !== 200) return diagnoseApi(`DELETE /api/v1/media/${id}`, answer, [], this.target.url.origin);
    this.deleted = true;
    return confirmGone(context, api, id, this.keys);
  }

  /** Mastodon before 4.4: the upload stays, unattached, until Mastodon's vacuum removes it. A limit, not a failure. */
  private handOver(id: string, observed: string[]): CheckOutcome {
    const files = this.keys.length > 0 ? ` and its files ${this.keys.join(", ")}` : "";
    this.leftToMastodon.push(`Mastodon media attachment ${id}${files} (unattached): ${MASTODON_VACUUM}`);
    this.deleted = true;
    return warn(
      observed,
      `this Mastodon version cannot delete an upload through the API, so the test attachment stays unattached; ${MASTODON_VACUUM}. The storage's own delete is proven by the writer-delete check`,
      "nothing to do; upgrading to Mastodon 4.4+ lets verify delete it at once",
    );
  }

  /**
   * After the checks, also when one failed or the run was interrupted: deletes this run's attachment if it is
   * still there. Returns what is left behind, for the report. Never touches any other attachment.
   */
  async cleanup(signal: AbortSignal): Promise<string[]> {
    if (!this.uploadedId || this.deleted) return [];
    const id = this.uploadedId;
    if (this.version && !hasMediaDelete(this.version)) {
      this.handOver(id, []);
      return [];
    }
    const api = new MastodonApi(this.target.url, this.target.token, signal, this.clock, this.fetchImpl);
    const answer = await api.remove(id).catch(() => undefined);
    // Gone: deleted now (200), or Mastodon no longer has it (404 "Record not found"). A 404 "Not Found" is the
    // catch-all route of a Mastodon without the call: the upload is still there.
    if (answer?.status === 200 || (answer?.status === 404 && notFoundKind(answer.error) === "no-record")) {
      this.deleted = true;
      return [];
    }
    if (answer?.status === 404 && notFoundKind(answer.error) === "no-route") {
      this.handOver(id, []);
      return [];
    }
    const said = answer
      ? answer.network
        ? `no answer (${answer.network})`
        : `${answer.status}${answer.error ? ` "${answer.error}"` : ""}`
      : "no answer";
    return [
      `Mastodon media attachment ${id} (unattached; DELETE /api/v1/media/${id} answered ${said}): ${MASTODON_VACUUM}`,
    ];
  }
}
