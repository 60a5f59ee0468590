import { randomBytes } from "node:crypto";
import type { Check, CheckContext, CheckOutcome } from "../check";
import type { CheckResult } from "../runner";
import { systemClock, type Clock } from "../retry";
import { MastodonApi } from "./api";
import { cleanUpUpload, deleteCheck } from "./delete-check";
import { mediaUrlCheck } from "./media-url-check";
import type { MastodonTarget } from "./options";
import { readyCheck } from "./ready-check";
import { servedCheck } from "./served-check";
import type { RoundTripState } from "./state";
import { storedCheck } from "./stored-check";
import { processedCheck, uploadCheck } from "./upload-check";

export interface RoundTripOptions {
  clock?: Clock;
  fetchImpl?: typeof fetch;
  /** A progress line while waiting for Mastodon to start. */
  progress?(line: string): void;
  /** Bound of the wait for /health, in ms (ready.ts MAX_START_MS). */
  maxStartMs?: number;
}

/**
 * The check of the storage through Mastodon itself: upload a fresh PNG (POST /api/v2/media), wait while Mastodon
 * processes it, read where Mastodon put it, find it in the bucket, fetch it as a browser would, delete it
 * (DELETE /api/v1/media/:id) and confirm it is gone. Only the attachment uploaded by this run is ever deleted,
 * and Mastodon refuses to delete one a status uses. Each check is a file of its own (./ready-check.ts,
 * ./upload-check.ts, ./media-url-check.ts, ./stored-check.ts, ./served-check.ts, ./delete-check.ts); what they
 * hand on is ./state.ts.
 */
export class MastodonRoundTrip {
  private api?: MastodonApi;
  private readonly state: RoundTripState;
  private readonly fetchImpl: typeof fetch;

  constructor(
    target: MastodonTarget,
    /** The results so far (the storage checks), read when Mastodon answers 5xx. */
    earlier: () => readonly CheckResult[],
    private readonly options: RoundTripOptions = {},
  ) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.state = {
      target,
      earlier,
      clock: options.clock ?? systemClock,
      runId: randomBytes(6).toString("hex"),
      ready: false,
      keys: [],
      deleted: false,
      leftToMastodon: [],
    };
  }

  /** 12 hex digits naming this run's upload (its file name and description). */
  get runId(): string {
    return this.state.runId;
  }

  /** The checks, in the order they run (after the storage checks). */
  checks(): Check[] {
    const state = this.state;
    return [
      {
        id: "mastodon-ready",
        title: "Mastodon answers (GET /health, waiting while it starts) and names its version (GET /api/v2/instance)",
        run: (c) => this.waitReady(c),
      },
      {
        id: "mastodon-upload",
        title: "Mastodon accepts an image upload (POST /api/v2/media)",
        run: (c) => uploadCheck(state, this.client(c)),
      },
      {
        id: "mastodon-processed",
        title: "Mastodon finishes processing it (GET /api/v1/media/:id)",
        run: (c) => processedCheck(state, this.client(c), c),
      },
      {
        id: "mastodon-media-url",
        title: "Its url and preview_url are on the media host, under S3_KEY_PREFIX",
        run: async (c) => mediaUrlCheck(state, c),
      },
      {
        id: "mastodon-object-stored",
        title: "Both files are in the bucket (HEAD with the writer's key)",
        run: (c) => storedCheck(state, c),
      },
      {
        id: "mastodon-media-served",
        title: "Both URLs answer 200 with an image, CORS and Mastodon's Cache-Control",
        run: (c) => servedCheck(state, c),
      },
      {
        id: "mastodon-delete",
        title: "The test attachment is deleted (DELETE /api/v1/media/:id) and gone",
        run: (c) => deleteCheck(state, this.client(c), c),
      },
    ];
  }

  /** The API client of the checks, on the first check's signal (the run's). */
  private client(context: CheckContext): MastodonApi {
    const { target, clock } = this.state;
    this.api ??= new MastodonApi(target.url, target.token, context.signal, clock, this.fetchImpl);
    return this.api;
  }

  /** Attachments this run uploaded that only Mastodon's own cleanup will remove (4.3: no DELETE route). */
  handedOver(): string[] {
    return [...this.state.leftToMastodon];
  }

  private async waitReady(context: CheckContext): Promise<CheckOutcome> {
    const options = {
      signal: context.signal,
      clock: this.state.clock,
      fetchImpl: this.fetchImpl,
      maxMs: this.options.maxStartMs,
      progress: this.options.progress,
    };
    const { outcome, ready, version } = await readyCheck(this.state.target.url, this.client(context), options);
    this.state.ready = ready;
    this.state.version = version;
    return outcome;
  }

  /**
   * After the checks, also when one failed or the run was interrupted: deletes this run's attachment if it is
   * still there (./delete-check.ts cleanUpUpload). Returns what is left behind, for the report. Never touches
   * any other attachment.
   */
  async cleanup(signal: AbortSignal): Promise<string[]> {
    const { target, clock } = this.state;
    return cleanUpUpload(this.state, new MastodonApi(target.url, target.token, signal, clock, this.fetchImpl));
  }
}
