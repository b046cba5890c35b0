// Legends and text drawn inside SVG charts (so an exported PNG keeps them): items laid out in rows, and words in lines,
// that fit the chart's width.

export interface LegendItem {
  index: number;
  label: string;
  /** Offset of the item's swatch from the row's left edge, in SVG units. */
  x: number;
}

/** Rows of legend items for labels at ~12 px type: a swatch, the label (≈ 6.6 units a character) and a gap. */
export function legendRows(labels: readonly string[], width: number): LegendItem[][] {
  const rows: LegendItem[][] = [];
  let row: LegendItem[] = [];
  let x = 0;
  labels.forEach((label, index) => {
    const w = 21 + label.length * 6.6 + 18;
    if (row.length && x + w > width) {
      rows.push(row);
      row = [];
      x = 0;
    }
    row.push({ index, label, x });
    x += w;
  });
  if (row.length) rows.push(row);
  return rows;
}

/** Words of `text` in lines of at most `width` SVG units, at `charWidth` units a character (a long word keeps its line). */
export function wrapText(text: string, width: number, charWidth: number): string[] {
  const max = Math.max(8, Math.floor(width / charWidth));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
