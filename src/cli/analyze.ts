/**
 * `npm run analyze -- --sociopol DIR [--json FILE]`: reads results in the published LLM-SocioPol layout (a seed folder
 * or a folder of seed folders), prints the same per-seed and pooled tables as `replicate` plus the Bond 2012
 * comparison, and optionally writes the Summary as JSON. Bad input prints one line naming the problem and the fix.
 */
import { writeFileSync } from 'node:fs';
import { analyseSeeds, publishedDesign } from '../analysis/index';
import { loadPublished } from '../analysis/load-published';

const USAGE = 'usage: npm run analyze -- --sociopol DIR [--json FILE]';

class UsageError extends Error {}

function parseArgs(argv: string[]): { dir: string; json?: string } {
  let dir: string | undefined;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`analyze: ${a} needs a value; ${USAGE}`);
      return v;
    };
    if (a === '--sociopol') dir = value();
    else if (a === '--json') json = value();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new UsageError(`analyze: unknown argument '${a}'; ${USAGE}`);
  }
  if (!dir) throw new UsageError(`analyze: --sociopol DIR is required (e.g. ../shared/data/llm-sociopol); ${USAGE}`);
  return { dir, json };
}

function main(): void {
  try {
    const { dir, json } = parseArgs(process.argv.slice(2));
    const seeds = loadPublished(dir);
    // The app calls the same analyseSeeds on a chosen folder or zip, so both print identical numbers.
    const { summary, text } = analyseSeeds(seeds, dir, publishedDesign(seeds));
    if (json) {
      try {
        writeFileSync(json, JSON.stringify(summary, null, 2) + '\n');
      } catch (err) {
        throw new UsageError(`analyze: could not write --json ${json} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose a writable path in an existing folder`);
      }
    }
    process.stdout.write(text);
    if (json) process.stdout.write(`Summary written to ${json}\n`);
  } catch (err) {
    const e = err as Error;
    const msg = e instanceof UsageError || ['DataError', 'ConfigError'].includes(e.name) ? e.message : `analyze failed: ${e.message}`;
    process.stderr.write(`${msg.split('\n')[0]}\n`);
    process.exit(1);
  }
}

main();
