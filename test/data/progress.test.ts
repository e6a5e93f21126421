import { progressReporter } from '../../src/cli/progress';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (chunk: string) => written.push(chunk) > 0 }, written };
}

describe('demo:seed progress', () => {
  test('on a terminal, one bar redrawn in place and ended with a newline', () => {
    const { stream, written } = fakeStream(true);
    const report = progressReporter(stream);
    report({ orders: 50, positions: 120, total: 100 });
    report({ orders: 100, positions: 250, total: 100 });
    expect(written[0]).toMatch(/^\r\[#{15}-{15}\] {2}50% 50\/100 orders, 120 positions, \d+\.\ds$/);
    expect(written[1]).toMatch(/^\r\[#{30}\] 100% 100\/100 orders, 250 positions/);
    expect(written[2]).toBe('\n');
  });

  test('elsewhere, plain lines about every 10 %', () => {
    const { stream, written } = fakeStream(false);
    const report = progressReporter(stream);
    for (let orders = 5; orders <= 100; orders += 5) report({ orders, positions: orders * 2, total: 100 });
    expect(written).toHaveLength(11);
    expect(written[0]).toMatch(/^demo:seed 5% 5\/100 orders, 10 positions, [\d.]+s\n$/);
    expect(written[10]).toMatch(/^demo:seed 100% 100\/100 orders/);
  });
});
