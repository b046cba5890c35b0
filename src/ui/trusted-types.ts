/**
 * The page's Trusted Types policy. index.html's Content-Security-Policy requires trusted types for script sinks, and
 * `new Worker(url)` is one: the workers Vite emits are created from plain URLs. This default policy lets through only
 * script URLs of this app's own origin (its bundled workers) and refuses everything else; HTML and script strings get
 * no policy here (Svelte builds its templates through its own 'svelte-trusted-html' policy).
 */
interface TrustedTypePolicyFactoryLike {
  createPolicy(name: string, rules: { createScriptURL?: (input: string) => string }): unknown;
}

export const WORKER_URL_POLICY = 'default';

/** A script URL is allowed when it resolves to this page's origin. */
export function sameOriginScriptUrl(input: string, base: string): string {
  const url = new URL(input, base);
  if (url.origin !== new URL(base).origin) {
    throw new TypeError(`Trusted Types: refused script URL ${url.href}; only this app's own workers may be started`);
  }
  return url.href;
}

/** Install the policy once, where the browser supports Trusted Types (Chromium); elsewhere nothing is needed. */
export function installWorkerUrlPolicy(): void {
  const tt = (globalThis as { trustedTypes?: TrustedTypePolicyFactoryLike }).trustedTypes;
  if (!tt) return;
  try {
    tt.createPolicy(WORKER_URL_POLICY, { createScriptURL: (input) => sameOriginScriptUrl(input, document.baseURI) });
  } catch {
    // Already installed (a hot reload in development): the existing policy is the same.
  }
}

installWorkerUrlPolicy();
