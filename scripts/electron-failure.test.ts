import { describe, expect, it } from 'vitest';
import { downloadFailureReason, probeDownloadHost } from './electron-failure.mjs';

describe("why Electron's binary could not be had", () => {
  it('names a network failure with the cause a probe found', () => {
    const output = 'TypeError: fetch failed\n    at node:internal/deps/undici/undici:14976:13\n    at async FetchDownloader.download (x.js:46:30)';
    expect(downloadFailureReason(output, '45.4.1', 'linux-x64', 'getaddrinfo ENOTFOUND github.com')).toBe(
      'network: Electron 45.4.1 for linux-x64 could not be downloaded (fetch failed: getaddrinfo ENOTFOUND github.com)',
    );
  });

  it('names a missing build for the platform or version', () => {
    expect(downloadFailureReason('HTTPError: Response code 404 (Not Found) for electron-v45.4.1-freebsd-x64.zip', '45.4.1', 'freebsd-x64')).toBe(
      'platform or version: there is no Electron 45.4.1 build for freebsd-x64 (Response code 404 (Not Found) for electron-v45.4.1-freebsd-x64.zip)',
    );
  });

  it('passes anything else through in one line', () => {
    expect(downloadFailureReason('Error: EACCES: permission denied, mkdir\n  at x', '45.4.1', 'linux-x64')).toBe('Electron 45.4.1 for linux-x64 could not be installed (EACCES: permission denied, mkdir)');
  });

  it('probes an unreachable mirror and reports its error', async () => {
    expect(await probeDownloadHost({ ELECTRON_MIRROR: 'https://electron-mirror.invalid/' }, 3000)).toMatch(/ENOTFOUND|EAI_AGAIN|getaddrinfo/);
  });
});
