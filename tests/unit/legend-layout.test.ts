// Text laid out inside SVG charts: legend rows and wrapped lines fit the width they are given.
import { describe, expect, it } from 'vitest';
import { legendRows, wrapText } from '../../src/ui/legend-layout';

describe('chart text layout', () => {
  it('should wrap words into lines no longer than the width allows, keeping every word in order', () => {
    const text = 'Mean stated likelihood of adults (0 = definitely not … 4 = definitely will), last answer carried forward';
    const lines = wrapText(text, 260, 6.5);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(lines.join(' ')).toBe(text);
    expect(wrapText(text, 2000, 6.5)).toEqual([text]);
  });

  it('should keep a word longer than a line on a line of its own rather than cut it', () => {
    expect(wrapText('a supercalifragilisticexpialidocious b', 60, 6)).toEqual(['a', 'supercalifragilisticexpialidocious', 'b']);
  });

  it('should start a new legend row when the next item would pass the width', () => {
    const rows = legendRows(['Control (no message)', 'Info message, everyone', 'Social message, everyone'], 400);
    expect(rows.map((r) => r.map((i) => i.index))).toEqual([[0, 1], [2]]);
    expect(rows[1][0].x).toBe(0);
  });
});
