/** Progress on stderr, so stdout carries only the table. */
export class Progress {
  readonly #started = Date.now();
  #done = 0;

  constructor(
    readonly total: number,
    readonly secondsPerStep: number,
  ) {}

  static log(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  /** Reports one finished step and what remains. */
  step(line: string): void {
    this.#done++;
    const elapsed = (Date.now() - this.#started) / 1000;
    const perStep = this.#done > 0 ? elapsed / this.#done : this.secondsPerStep;
    const eta = Math.max(0, Math.round((this.total - this.#done) * perStep));
    const width = String(this.total).length;
    Progress.log(
      `[${String(this.#done).padStart(width)}/${this.total}] ${line}  (eta ${formatDuration(eta)})`,
    );
  }
}

export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
