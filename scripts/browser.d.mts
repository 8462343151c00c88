// Types of scripts/browser.mjs (plain JavaScript so `node` runs it before any build).
export interface FoundBrowser {
  path: string;
  source: 'PAS_CHROMIUM' | 'system' | 'PATH' | 'playwright' | 'apt';
}
export interface LocateOptions {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
  exists?: (file: string) => boolean;
  searchRoot?: string;
  playwrightPath?: () => string | undefined;
  /** Where ensureBrowser remembers what it provided; the default file is written, others only read. */
  cacheFile?: string;
}
export interface ProvideSteps {
  playwright(env: Record<string, string | undefined>, log: (line: string) => void): Promise<boolean>;
  apt(env: Record<string, string | undefined>, log: (line: string) => void): Promise<boolean>;
}
export const DEFAULT_CACHE_FILE: string;
export function wellKnownPaths(platform: NodeJS.Platform, env: Record<string, string | undefined>, home: string): string[];
export function locateBrowser(options?: LocateOptions): FoundBrowser | undefined;
export function downloadHostAnswers(env?: Record<string, string | undefined>, timeoutMs?: number): Promise<boolean>;
export function missingBrowserMessage(platform?: NodeJS.Platform): string;
export function ensureBrowser(options?: LocateOptions & { log?: (line: string) => void; steps?: ProvideSteps }): Promise<FoundBrowser>;
export function openApp(url: string, options?: { env?: Record<string, string | undefined>; platform?: NodeJS.Platform }): boolean;
