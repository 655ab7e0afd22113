/** Progress bars on stderr (only when it is a terminal), one at a time. */
import cliProgress from 'cli-progress';

export class Progress {
  private bar: cliProgress.SingleBar | null = null;

  constructor(private readonly enabled: boolean = Boolean(process.stderr.isTTY)) {}

  start(label: string, total: number, unit = ''): void {
    this.stop();
    if (!this.enabled) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(22)} {bar} {percentage}% | {value}/{total}${unit ? ` ${unit}` : ''} | {note} | eta {eta_formatted}`,
        stream: process.stderr,
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
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
