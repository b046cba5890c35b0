/**
 * How large a chosen file may be before the page reads it: a file is read whole into memory (and a zip is inflated),
 * so an oversized one is refused up front with its size, the cap and what to do, instead of freezing the tab.
 */
const MB = 2 ** 20;

export const UPLOAD_LIMITS = {
  /** Edge lists: the full SNAP ego-Twitter file is 31 MB. */
  edges: { bytes: 100 * MB, fix: 'use a sample of the graph (one ego network, or --network with the CLI)' },
  /** Run bundles: a 2,000-agent LLM run of five conditions is about 60 MB. */
  bundle: { bytes: 500 * MB, fix: 'export fewer seeds per bundle, or replay the run from the CLI' },
  /** Published results: the authors' zip is about 10 MB, their folders 84 MB. */
  published: { bytes: 300 * MB, fix: 'choose fewer seed folders, or run npm run analyze -- --sociopol DIR' },
} as const;

/** A message naming the file, its size and the cap when it is too large; null when it may be read. */
export function uploadTooLarge(kind: keyof typeof UPLOAD_LIMITS, name: string, bytes: number): string | null {
  const limit = UPLOAD_LIMITS[kind];
  if (bytes <= limit.bytes) return null;
  return `${name} is ${(bytes / MB).toFixed(0)} MB, more than the ${limit.bytes / MB} MB this page reads; ${limit.fix}`;
}
