// Oversized inputs are refused with a message instead of exhausting memory (issue 14, finding 9).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS, validateConfig } from '../../src/engine/config';
import { DEFAULT_CONFIG, makeConfig } from '../../src/protocols/sociopol/defaults';
import { checkConfig } from '../../src/protocols/registry';
import { MAX_IMPORT_NODES, parseEdgeList } from '../../src/engine/network-import';
import { MAX_ZIP_INFLATED_BYTES } from '../../src/analysis/published-files';
import { zipBomb } from '../fixtures/zip-bomb';

describe('oversized inputs', () => {
  it('should refuse a zip bomb from its declared sizes, without inflating it, under a 64 MB heap ceiling', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-bomb-'));
    const file = join(dir, 'published.zip');
    const bomb = zipBomb(MAX_ZIP_INFLATED_BYTES + 44 * 2 ** 20);
    writeFileSync(file, bomb);
    // A child with a small heap: inflating and decoding 300 MB of CSV would crash it (the issue saw 3.5 GB).
    const script = `
      import { readFileSync } from 'node:fs';
      import { readPublishedZip } from './src/analysis/published-files.ts';
      try {
        readPublishedZip(new Uint8Array(readFileSync(${JSON.stringify(file)})), 'seed', 'published.zip');
        console.log(JSON.stringify({ refused: false }));
      } catch (err) {
        console.log(JSON.stringify({ refused: true, name: err.name, message: err.message, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
      }`;
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({ refused: true, name: 'DataError' });
    expect(out.message).toContain("published results 'published.zip': the zip would unpack to more than 256 MB");
    // The process never held the 300 MB the entry declares (tsx and node themselves take about 100 MB).
    expect(out.maxRssMB).toBeLessThan(250);
    expect(bomb.length).toBeLessThan(4 * 2 ** 20);
  });

  it('should stop reading an edge list at the first account past the node limit, naming the line', () => {
    const lines: string[] = [];
    for (let i = 0; i <= MAX_IMPORT_NODES; i += 2) lines.push(`${i} ${i + 1}`);
    expect(() => parseEdgeList(lines.join('\n'), 'huge.edges')).toThrow(
      `network import (huge.edges): line ${MAX_IMPORT_NODES / 2 + 1} brings the number of accounts past 200,000, the most a run can have`,
    );
    expect(parseEdgeList(lines.slice(0, -1).join('\n'), 'fits.edges').network.n).toBe(MAX_IMPORT_NODES);
  });

  it('should bound every size-like configuration field', () => {
    expect(() => validateConfig(makeConfig({ seedPosts: 1e9 }))).toThrow(/seedPosts is 1000000000; use a whole number between 0 and 10,000/);
    expect(() => validateConfig(makeConfig({ lastRound: 1e7, periodEnds: [1e7] }))).toThrow(/lastRound/);
    expect(() => validateConfig(makeConfig({ firstRound: -1e6 }))).toThrow(/firstRound/);
    expect(() => validateConfig(makeConfig({ postMaxChars: 1e9 }))).toThrow(/postMaxChars/);
    expect(() => checkConfig(makeConfig({ params: { maxFollowedLikelyShown: 1e9 } }))).toThrow(/maxFollowedLikelyShown/);
    expect(() => validateConfig(makeConfig({ firstActiveWithin: 1e9 }))).toThrow(/firstActiveWithin/);
    expect(() => checkConfig(makeConfig({ params: { messages: { info: 'x'.repeat(LIMITS.textChars + 1), social: '' } } }))).toThrow(/messages.info has 2001 characters/);
    const many = Array.from({ length: LIMITS.conditions + 1 }, (_, i) => ({ ...DEFAULT_CONFIG.conditions[0], name: `c${i}` }));
    expect(() => validateConfig(makeConfig({ conditions: many }))).toThrow(/conditions has 21 entries/);
    expect(() => validateConfig({ ...makeConfig(), feed: undefined } as never)).toThrow(/config: feed is missing/);
    expect(validateConfig(makeConfig())).toBeTruthy();
  });
});
