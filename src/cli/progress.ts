import cliProgress from 'cli-progress';

export interface Progress {
  tick(label?: string): void;
  /** Start over (a new round of the same length). */
  reset(): void;
  stop(): void;
}

const NONE: Progress = { tick() {}, reset() {}, stop() {} };

/** A progress bar on stderr when it is a terminal (and not --quiet); nothing otherwise. */
export function progressBar(enabled: boolean, title: string, total: number): Progress {
  if (!enabled || total <= 0) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${title} [{bar}] {value}/{total} {label}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  let done = 0;
  return {
    tick(label = '') {
      done += 1;
      bar.update(done, { label });
    },
    reset() {
      done = 0;
      bar.update(0, { label: '' });
    },
    stop() {
      bar.stop();
    },
  };
}
