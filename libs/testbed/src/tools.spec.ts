import { describe, expect, it } from 'vitest';
import { median } from './median.ts';
import { peakRssOf } from './peak-rss.ts';
import { runAnchor } from './anchor-runner.ts';
import { sharedAnchorsDir, sharedDataDir } from './shared-paths.ts';
import { makeTempDir } from './temp-dir.ts';
import { statSync } from 'node:fs';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('peakRssOf', () => {
  it('reports the peak RSS, exit code and output of a command that allocates', async () => {
    const script = 'const b = Buffer.alloc(200 * 1024 * 1024, 1); console.log(b[5]); process.exit(3)';
    const result = await peakRssOf(process.execPath, ['-e', script]);
    expect(result.exitCode).toBe(3);
    expect(result.stdout.trim()).toBe('1');
    expect(result.peakRssMb).toBeGreaterThan(200);
    expect(result.peakRssMb).toBeLessThan(2000);
  });
});

describe('shared data and anchors', () => {
  it('finds ../shared/data beside the repository when it is there', () => {
    const dir = sharedDataDir();
    if (dir) expect(statSync(dir).isDirectory()).toBe(true);
  });

  it.skipIf(!sharedAnchorsDir())('runs an anchor script (gen-udp-pcap.py writes a pcap of N packets)', async () => {
    const temp = makeTempDir('anchor');
    try {
      const out = `${temp.path}/u.pcap`;
      expect(await runAnchor('gen-udp-pcap.py', [out, '10', '64'])).toEqual({});
      expect(statSync(out).size).toBe(24 + 10 * (16 + 64));
    } finally {
      temp.remove();
    }
  });
});
