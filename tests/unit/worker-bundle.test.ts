// The CLI pool's worker bundle is cached by the contents of its inputs: reused while they are unchanged, rebuilt after.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedBundle } from '../../src/cli/worker-bundle';

const root = mkdtempSync(join(tmpdir(), 'spillover-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the cached worker bundle', () => {
  it('should reuse the cached script while the inputs are unchanged and bundle again when one changes', () => {
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    const entry = join(root, 'src', 'cli', 'entry.ts');
    const dep = join(root, 'src', 'cli', 'dep.ts');
    writeFileSync(entry, "import { word } from './dep';\nconsole.log(word);\n");
    writeFileSync(dep, "export const word: string = 'first';\n");
    expect(cachedBundle(entry)).toContain('first');

    // The cache entry is what the next process reads: mark its script to see that it is the one returned.
    const dir = join(root, 'node_modules', '.cache', 'spillover');
    const [name] = readdirSync(dir);
    const cached = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    writeFileSync(join(dir, name), JSON.stringify({ ...cached, code: `${cached.code}// from the cache\n` }));
    expect(cachedBundle(entry)).toContain('// from the cache');

    writeFileSync(dep, "export const word: string = 'second';\n");
    const rebuilt = cachedBundle(entry);
    expect(rebuilt).toContain('second');
    expect(rebuilt).not.toContain('// from the cache');
  });
});
