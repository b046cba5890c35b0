/**
 * The analysis API in one place for the app and the CLIs: from published files (a folder's path → text map or a zip)
 * or from SeedData built out of engine records, to the Summary, the Bond 2012 comparison and the printed tables.
 * Browser-safe: nothing here touches fs (load-published.ts is the Node-only reader).
 */
import { compareWithBond, formatBond, type BondComparison } from './bond2012';
import { publishedDesign, type DesignFor } from './design';
import { readPublishedFromFiles, readPublishedZip } from './published-files';
import { formatTables, summarize } from './summary';
import type { SeedData, Summary } from './types';

export * from './types';
export { BOND_2012, compareWithBond, formatBond, type BondComparison, type BondRow } from './bond2012';
export { carryForward, conditionSummary, groupLabel, neyman, outcomeVector, paired, poolEffects, seedEffects } from './estimators';
export { designFor, publishedDesign, type AnalysisDesign, type DesignFor } from './design';
export { checkRollout, readPublishedFromFiles, readPublishedZip, repairRollouts } from './published-files';
export { formatTables, poolConditions, summarize } from './summary';
export { parseWideCsv, writeWideCsv, type WideKind, type WideTable } from './wide-csv';

export interface Analysis {
  summary: Summary;
  bond: BondComparison;
  /** The same text `npm run analyze` prints. */
  text: string;
}

/** Summary, Bond comparison and printed tables of some seeds under `design`: what both the CLI and the app show. */
export function analyseSeeds(seeds: SeedData[], source: string, design: DesignFor): Analysis {
  const summary = summarize(seeds, source, design);
  const bond = compareWithBond(summary);
  return { summary, bond, text: `${formatTables(summary)}\n${formatBond(bond)}` };
}

/** "Analyse published results" from a chosen folder (paths relative to it → file text). Throws DataError on bad CSVs. */
export function analyseFiles(files: Map<string, string>, source: string): Analysis {
  const seeds = readPublishedFromFiles(files, source);
  return analyseSeeds(seeds, source, publishedDesign(seeds));
}

/** Same from the bytes of a zip of seed folders (or of one seed folder). */
export function analyseZip(bytes: Uint8Array, source: string): Analysis {
  const seeds = readPublishedZip(bytes, source);
  return analyseSeeds(seeds, source, publishedDesign(seeds));
}
