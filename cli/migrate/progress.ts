/**
 * Progress of hours-long work. On a terminal one line, rewritten at most once a second: objects and bytes done,
 * the rate, and the time left when the total is known. Elsewhere (a log, `nohup`, systemd) one line a minute,
 * so that a ten-hour pass writes 600 lines, not 18,000.
 */
export interface ProgressSink {
  /** Whether standard output is a terminal (rewrite one line) or a log (a line a minute). */
  tty: boolean;
  write(text: string): void;
}

export interface Done {
  objects: number;
  bytes: number;
}

const TTY_INTERVAL_MS = 1_000;
const LOG_INTERVAL_MS = 60_000;

export class Progress {
  private readonly started: number;
  private last = 0;
  private open = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly total?: Done,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Reports `done` when the interval has passed since the last line. */
  update(done: Done): void {
    const time = this.now();
    if (time - this.last < (this.sink.tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS)) return;
    this.last = time;
    const text = this.line(done, time);
    if (this.sink.tty) {
      this.sink.write(`\r\x1b[2K${text}`);
      this.open = true;
    } else this.sink.write(`${text}\n`);
  }

  /** Clears the terminal line, so that the next printed line starts clean. */
  end(): void {
    if (this.open) this.sink.write("\r\x1b[2K");
    this.open = false;
  }

  line(done: Done, time: number = this.now()): string {
    const seconds = Math.max((time - this.started) / 1000, 0.001);
    const parts = [
      `${this.label}: ${count(done.objects)}${this.total ? ` of ${count(this.total.objects)}` : ""} objects`,
      `${megabytes(done.bytes)}${this.total ? ` of ${megabytes(this.total.bytes)}` : ""}`,
    ];
    parts.push(
      `${count(Math.round(done.objects / seconds))} objects/s`,
      `${(done.bytes / 1e6 / seconds).toFixed(1)} MB/s`,
    );
    const left = this.total ? remaining(done, this.total, seconds) : undefined;
    if (left !== undefined) parts.push(`about ${duration(left)} left`);
    return parts.join(", ");
  }
}

/** Seconds left at the rate so far: by bytes when bytes move, else by objects. */
function remaining(done: Done, total: Done, seconds: number): number | undefined {
  if (done.bytes > 0 && total.bytes > 0) return ((total.bytes - done.bytes) * seconds) / done.bytes;
  if (done.objects > 0) return ((total.objects - done.objects) * seconds) / done.objects;
  return undefined;
}

export function count(value: number): string {
  return value.toLocaleString("en-US");
}

export function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

export function duration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}
