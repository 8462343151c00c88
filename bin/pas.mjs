#!/usr/bin/env node
// `pas`: runs the prebuilt CLI bundle (out/cli/pas.cjs, see scripts/cli-bundle.mjs), rebuilding
// it first when the sources changed since it was built, so a checkout never runs stale code.
import { buildCli, bundleIsFresh, loadCli } from '../scripts/cli-bundle.mjs';

if (!bundleIsFresh()) {
  process.stderr.write('pas: sources changed, building the CLI (out/cli/pas.cjs)…\n');
  await buildCli();
}
const cli = loadCli(process.argv[2]);
await cli.exports.runCli();
cli.saveCodeCache();
