// Why Electron's binary could not be had, in one line: network, platform or version, with the
// error it got. Electron's installer (fetch-based) often says only "fetch failed", so the
// download host is probed for the underlying cause (DNS, refused, timed out, certificate).
import { request } from 'node:https';

const NETWORK = /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|timed out|certificate|self[- ]signed/i;

/** One line from the installer's output; `cause` is what a probe of the download host found. */
export function downloadFailureReason(output, version, target, cause) {
  const text = output.replace(/\s+/g, ' ');
  const error = /(?:Request|HTTP|Type)?Error: (.*?)(?= at |$)/.exec(text)?.[1]?.trim() || text.trim().slice(0, 200);
  const detail = cause ? `${error}: ${cause}` : error;
  if (/\b404\b/.test(text)) return `platform or version: there is no Electron ${version} build for ${target} (${detail})`;
  if (NETWORK.test(text) || cause) return `network: Electron ${version} for ${target} could not be downloaded (${detail})`;
  return `Electron ${version} for ${target} could not be installed (${detail || 'no output'})`;
}

/** The error reaching Electron's download host (ELECTRON_MIRROR or GitHub), or undefined when it answers. */
export function probeDownloadHost(env = process.env, timeoutMs = 5000) {
  const host = env.ELECTRON_MIRROR ?? env.npm_config_electron_mirror ?? 'https://github.com/';
  return new Promise((resolve) => {
    try {
      const req = request(host, { method: 'HEAD', timeout: timeoutMs }, (res) => {
        res.resume();
        resolve(undefined);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer from ${new URL(host).host} within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => resolve(error.message));
      req.end();
    } catch (error) {
      resolve(error instanceof Error ? error.message : String(error));
    }
  });
}
