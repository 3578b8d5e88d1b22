// The packaged extension holds every file its bundles load at run time. The list of packaged files is
// vsce's own (`vsce ls`, from .vscodeignore, as `vsce package` packs it); the files needed are found in
// the built bundle (files it requires next to itself, e.g. the grader's lazily loaded compute engine), in
// the webview pages, in the KaTeX stylesheet and in the manifest. A file missing from the .vsix works in
// a checkout and fails only in the installed extension (issue 18: the Evaluate panel graded `\sqrt{8}`
// vs `2\sqrt{2}` wrong because dist/compute-engine.js was not shipped).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { PAGES } from '../../src/host/webviewHtml';

const ROOT = path.resolve(__dirname, '../../..');
const BUNDLE = path.join(ROOT, 'dist', 'extension.js');

function packagedFiles(): Set<string> {
  const out = execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return new Set(
    out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** Files the extension bundle loads next to itself: `path.join(__dirname, "X")` in its source. */
function filesBesideBundle(source: string): string[] {
  return [...source.matchAll(/__dirname\s*,\s*["'`]([^"'`]+)["'`]/g)].map((m) => `dist/${m[1]}`);
}

/** Bundles the extension bundle requires beside itself by name: `require("./host.js")` (its lazily loaded body). */
function requiredBundles(source: string): string[] {
  return [...source.matchAll(/(?<![\w$.])require\(\s*["'`]\.\/([^"'`]+\.js)["'`]\s*\)/g)].map((m) => `dist/${m[1]}`);
}

/** `require(x)` with a computed argument: each is a run-time load esbuild did not bundle. */
function computedRequires(source: string): number {
  return [...source.matchAll(/(?<![\w$.])require\(\s*(?!["'`])/g)].length;
}

describe('the packaged .vsix ships what the bundles load at run time', function () {
  this.timeout(60000);
  let files: Set<string>;
  let bundle: string;

  let bodies: string[];

  before(() => {
    files = packagedFiles();
    // The activation shell and the bundles it requires by name (its body, loaded on first use): one source.
    const shell = readFileSync(BUNDLE, 'utf8');
    bodies = requiredBundles(shell);
    bundle = [shell, ...bodies.map((b) => readFileSync(path.join(ROOT, b), 'utf8'))].join('\n');
  });

  it('the extension bundle and everything it requires beside itself (its body, the compute engine)', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    assert.ok(bodies.includes('dist/host.js'), "the scan finds the extension's body, loaded on first use");
    const beside = [...bodies, ...filesBesideBundle(bundle)];
    assert.ok(beside.includes('dist/compute-engine.js'), "the scan finds the grader's compute engine");
    for (const file of [manifest.main.replace(/^\.\//, ''), ...beside]) {
      assert.ok(files.has(file), `${file} is loaded at run time but .vscodeignore leaves it out of the .vsix`);
    }
  });

  it('no other computed require() in the bundle (each one is a file to ship: add it above)', () => {
    // The grader's compute-engine load is the one known computed require.
    assert.equal(computedRequires(bundle), 1, 'a new run-time require(): ship its file and count it here');
  });

  it('the webview pages: their scripts and stylesheets, and a woff2 of every KaTeX font', () => {
    for (const page of Object.values(PAGES)) {
      for (const parts of [page.script, ...page.styles]) {
        const file = ['media', ...parts].join('/');
        assert.ok(files.has(file), `${file} (a webview asset) is not in the .vsix`);
      }
    }
    const css = readFileSync(path.join(ROOT, 'media/gen/katex/katex.min.css'), 'utf8');
    const woff2 = [...css.matchAll(/url\((fonts\/[^)]+\.woff2)\)/g)].map((m) => `media/gen/katex/${m[1]}`);
    assert.ok(woff2.length > 10);
    for (const file of woff2) {
      assert.ok(files.has(file), `${file} (a KaTeX font) is not in the .vsix`);
    }
  });

  it('no source map: none packaged, and the production build (vscode:prepublish) writes none', async () => {
    assert.deepEqual(
      [...files].filter((f) => f.endsWith('.map')),
      [],
    );
    const esbuildJs = pathToFileURL(path.join(ROOT, 'esbuild.js')).href;
    const { bundles } = (await import(esbuildJs)) as { bundles: (production: boolean) => BuildOptions[] };
    const results = await Promise.all(bundles(true).map((b) => build({ ...b, write: false })));
    const written = results
      .flatMap((r) => r.outputFiles ?? [])
      .map((f) => ({ file: path.relative(ROOT, f.path), text: f.text }));
    const shipped = [...files].filter((f) => /^(dist|media\/gen)\/[^/]+\.js$/.test(f));
    for (const file of shipped) {
      assert.ok(
        written.some((w) => w.file === file),
        `${file} is packaged but not built by esbuild.js`,
      );
    }
    for (const { file, text } of written) {
      assert.ok(!file.endsWith('.map'), `the production build writes ${file}`);
      assert.ok(!text.includes('sourceMappingURL'), `${file} of the production build points to a source map`);
    }
  });

  it('the manifest: icon and walkthrough media', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      icon: string;
      contributes: { walkthroughs: { steps: { media: { markdown?: string; image?: string } }[] }[] };
    };
    const media = manifest.contributes.walkthroughs.flatMap((w) =>
      w.steps.flatMap((s) => [s.media.markdown, s.media.image].filter((x): x is string => typeof x === 'string')),
    );
    for (const file of [manifest.icon, ...media]) {
      assert.ok(files.has(file), `${file} (named by package.json) is not in the .vsix`);
    }
  });
});
