// @ts-check
// Bundles: the extension (node, cjs) in two parts: its activation shell (dist/extension.js) and its body
// (dist/host.js, the engine with its HTTP, LLM and data-set libraries, required on first use); the CLI (node,
// cjs), the reasoning panel and the Evaluate panel (browser, iife).
// KaTeX's stylesheet and woff2 fonts are copied next to the webview bundle. Each build empties dist/ and
// media/gen/ first, so a production build leaves none of a development build's source maps (or a file no
// longer built) behind. `bundles(production)` is also read by test/unit/vsixContents.test.ts.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const watch = process.argv.includes('--watch');
/** What a build writes, and empties first. */
const OUTPUT_DIRS = ['dist', path.join('media', 'gen')];

/** Prints errors in the format the esbuild problem matcher reads. @type {esbuild.Plugin} */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) {
        console.log('[watch] build started');
      }
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) {
          console.error(`    ${location.file}:${location.line}:${location.column}:`);
        }
      }
      if (watch) {
        console.log('[watch] build finished');
      }
    });
  },
};

function copyKatexAssets() {
  const katexDir = path.dirname(require.resolve('katex/package.json'));
  const out = path.join(__dirname, 'media', 'gen', 'katex');
  fs.mkdirSync(path.join(out, 'fonts'), { recursive: true });
  fs.copyFileSync(path.join(katexDir, 'dist', 'katex.min.css'), path.join(out, 'katex.min.css'));
  for (const font of fs.readdirSync(path.join(katexDir, 'dist', 'fonts'))) {
    if (font.endsWith('.woff2')) {
      fs.copyFileSync(path.join(katexDir, 'dist', 'fonts', font), path.join(out, 'fonts', font));
    }
  }
}

/**
 * The activation shell requires its body at run time: `require('./host/main')` becomes `require('./host.js')`.
 * @type {esbuild.Plugin}
 */
const bodyOnFirstUse = {
  name: 'body-on-first-use',
  setup(build) {
    build.onResolve({ filter: /^\.\/host\/main$/ }, (args) =>
      args.kind === 'require-call' ? { path: './host.js', external: true } : undefined,
    );
  },
};

/**
 * The bundles: minified and without source maps in production (what the .vsix ships), with source maps otherwise.
 * @param {boolean} production
 * @returns {esbuild.BuildOptions[]}
 */
function bundles(production) {
  /** @type {esbuild.BuildOptions} */
  const common = {
    absWorkingDir: __dirname,
    bundle: true,
    // The grader loads dist/compute-engine.js beside the bundle, and in a bundle nothing else: a node_modules
    // found above an install folder must not hide a file missing from the .vsix (src/core/eval/grader.ts).
    define: { 'process.env.SPECREASON_BUNDLE': '"1"' },
    minify: production,
    sourcemap: !production,
    logLevel: 'silent',
    plugins: [problemMatcher],
  };
  return [
    {
      ...common,
      plugins: [problemMatcher, bodyOnFirstUse],
      entryPoints: ['src/extension.ts'],
      outfile: 'dist/extension.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
    },
    {
      ...common,
      entryPoints: { host: 'src/host/main.ts' },
      outdir: 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
    },
    {
      ...common,
      entryPoints: ['src/cli.ts'],
      outfile: 'dist/cli.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      banner: { js: '#!/usr/bin/env node' },
    },
    // The grader's computer-algebra library, loaded by the CLI only when a symbolic comparison needs it.
    {
      ...common,
      entryPoints: { 'compute-engine': '@cortex-js/compute-engine' },
      outdir: 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      sourcemap: false,
    },
    {
      ...common,
      entryPoints: ['src/sim/vllmServe.ts'],
      outfile: 'dist/simulated-vllm.js', // `vllm serve` for the simulated pair (demo, Start Servers tests)
      platform: 'node',
      format: 'cjs',
      target: 'node20',
    },
    {
      ...common,
      entryPoints: ['src/webview/main.ts'],
      outfile: 'media/gen/webview.js',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    },
    {
      ...common,
      entryPoints: ['src/webview/eval/main.ts'],
      outfile: 'media/gen/eval.js',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    },
  ];
}

async function main() {
  for (const dir of OUTPUT_DIRS) {
    fs.rmSync(path.join(__dirname, dir), { recursive: true, force: true });
  }
  const contexts = await Promise.all(bundles(process.argv.includes('--production')).map((b) => esbuild.context(b)));
  copyKatexAssets();
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
  } else {
    await Promise.all(contexts.map((c) => c.rebuild()));
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

module.exports = { bundles };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
