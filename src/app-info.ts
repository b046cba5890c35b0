/**
 * Which build of the app is running: the package version and the git commit, injected by Vite at build time (see
 * vite.config.ts). Exports and bundles carry them so a reviewer can tell which code produced a file; outside a Vite
 * build (the CLI under tsx) they read 'dev'.
 */
declare const __APP_VERSION__: string | undefined;
declare const __APP_COMMIT__: string | undefined;

export interface AppInfo {
  version: string;
  commit: string;
}

export const APP_INFO: AppInfo = {
  version: typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev',
  commit: typeof __APP_COMMIT__ === 'string' ? __APP_COMMIT__ : 'unknown',
};

export function appLabel(info: AppInfo = APP_INFO): string {
  return `Spillover ${info.version} (commit ${info.commit})`;
}
