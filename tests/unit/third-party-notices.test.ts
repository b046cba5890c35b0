// The third-party notices (issue 14, finding 17): packages are found from bundled module ids, licences from node_modules.
import { describe, expect, it } from 'vitest';
import { noticeFor, noticesText, packageOf } from '../../src/cli/third-party-notices';

describe('third-party notices', () => {
  it('should name the package of a bundled module, scoped or not, and nothing for app code', () => {
    expect(packageOf('/w/app/node_modules/dexie/dist/dexie.mjs')).toBe('dexie');
    expect(packageOf('/w/app/node_modules/.pnpm/x/node_modules/@scope/pkg/index.js?commonjs-proxy')).toBe('@scope/pkg');
    expect(packageOf('\0/w/app/node_modules/svelte/src/internal/client/index.js')).toBe('svelte');
    expect(packageOf('/w/app/src/engine/rng.ts')).toBeNull();
  });

  it('should carry each package’s version, declared licence and licence text from node_modules', () => {
    const dexie = noticeFor('dexie');
    expect(dexie.license).toBe('Apache-2.0');
    expect(dexie.text).toMatch(/Apache License/);
    const text = noticesText([noticeFor('fflate'), noticeFor('svelte')]);
    expect(text).toMatch(/- fflate \d+\.\d+\.\d+ \(MIT\)/);
    expect(text).toMatch(/svelte \d+\.\d+\.\d+ — MIT\n=+\n\n.*Copyright/s);
  });
});
