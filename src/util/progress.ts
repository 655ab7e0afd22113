/**
 * Progress on stderr, one stage at a time: a bar on a terminal; in a log file or CI, where a bar
 * would print nothing, a plain line every half minute of a long stage so the log shows it alive.
 */
import cliProgress from 'cli-progress';

export interface ProgressOptions {
  /** How often a non-terminal gets a line; stages shorter than this print none. */
  lineEveryMs?: number;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  now?: () => number;
}

interface Stage {
  label: string;
  total: number;
  unit: string;
  startedAt: number;
  lastLineAt: number;
}

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private stage: Stage | null = null;
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly lineEveryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly enabled = true,
    o: ProgressOptions = {},
  ) {
    this.stream = o.stream ?? process.stderr;
    this.lineEveryMs = o.lineEveryMs ?? 30_000;
    this.now = o.now ?? Date.now;
  }

  start(label: string, total: number, unit = ''): void {
    this.stop();
    if (!this.enabled) return;
    if (!this.stream.isTTY) {
      const t = this.now();
      this.stage = { label, total, unit, startedAt: t, lastLineAt: t };
      return;
    }
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(22)} {bar} {percentage}% | {value}/{total}${unit ? ` ${unit}` : ''} | {note} | eta {eta_formatted}`,
        stream: this.stream,
        clearOnComplete: true,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { note: '' });
  }

  update(done: number, note = ''): void {
    this.bar?.update(done, { note });
    const s = this.stage;
    if (s === null) return;
    const t = this.now();
    if (t - s.lastLineAt < this.lineEveryMs) return;
    s.lastLineAt = t;
    this.stream.write(`${progressLine(s, done, note, t)}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
    this.stage = null;
  }
}

/** Runs `read` under one byte-count bar, started once the reader knows the file size. */
export async function withByteProgress<T>(
  progress: Progress,
  label: string,
  read: (onProgress: (done: number, total: number) => void) => Promise<T>,
): Promise<T> {
  let started = false;
  try {
    return await read((done, total) => {
      if (!started) progress.start(label, total, 'bytes');
      started = true;
      progress.update(done);
    });
  } finally {
    progress.stop();
  }
}

/** "epoch 3/20 train: 41% (2,030/4,855), loss 0.2871, 1m 12s elapsed, eta 1m 44s" */
function progressLine(s: Stage, done: number, note: string, t: number): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const elapsed = (t - s.startedAt) / 1000;
  const fraction = s.total > 0 ? Math.min(1, done / s.total) : 0;
  const eta = fraction > 0 ? `, eta ${duration((elapsed * (1 - fraction)) / fraction)}` : '';
  return (
    `${s.label}: ${Math.floor(fraction * 100)}% (${n(done)}/${n(s.total)}${s.unit ? ` ${s.unit}` : ''})` +
    `${note ? `, ${note}` : ''}, ${duration(elapsed)} elapsed${eta}`
  );
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
