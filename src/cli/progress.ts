import type { SeedProgress } from '../modules/demo/demo.service';

/** A progress bar on a terminal; elsewhere (CI, pipes) a plain line about every 10 %. All on stderr. */
export function progressReporter(
  stream: { isTTY?: boolean; write(chunk: string): boolean } = process.stderr,
): (progress: SeedProgress) => void {
  const started = Date.now();
  let lastStep = -1;
  return ({ orders, positions, total }) => {
    const ratio = total === 0 ? 1 : orders / total;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const text = `${orders}/${total} orders, ${positions} positions, ${seconds}s`;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${text}`,
      );
      if (orders >= total) stream.write('\n');
      return;
    }
    const step = Math.floor(ratio * 10);
    if (step > lastStep) {
      lastStep = step;
      stream.write(`demo:seed ${(ratio * 100).toFixed(0)}% ${text}\n`);
    }
  };
}
