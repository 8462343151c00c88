// Types of scripts/build.mjs (plain JavaScript so `npm start` runs it without a compiler).
export const BUILD_OUTPUTS: string[];
export const BUILD_INPUTS: string[];
export function staleReason(root: string): string | undefined;
export function buildIfStale(root: string, log?: (line: string) => void): boolean;
