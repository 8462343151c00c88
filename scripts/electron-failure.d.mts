// Types of scripts/electron-failure.mjs.
export function downloadFailureReason(output: string, version: string, target: string, cause?: string): string;
export function probeDownloadHost(env?: Record<string, string | undefined>, timeoutMs?: number): Promise<string | undefined>;
