#!/usr/bin/env node
// `pas`: runs the prebuilt CLI bundle (out/cli/pas.mjs, see scripts/cli-bundle.mjs), rebuilding
// it first when the sources changed since it was built, so a checkout never runs stale code.
import { buildCli, bundleIsFresh, bundlePath } from '../scripts/cli-bundle.mjs';
import { pathToFileURL } from 'node:url';

if (!bundleIsFresh()) {
  process.stderr.write('pas: sources changed, building the CLI (out/cli/pas.mjs)…\n');
  await buildCli();
}
const { runCli } = await import(pathToFileURL(bundlePath).href);
await runCli();
