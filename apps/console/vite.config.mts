import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The analyst console, served by the API at /console (apps/api/src/console). Built into
 * dist/console beside the API's bundle; asset names carry a content hash so the API can
 * cache them for a year, and index.html is the only file answered with no-cache.
 */
export default defineConfig({
  root: here,
  base: '/console/',
  // Vite's dependency cache stays in the root node_modules, out of apps/ (which
  // tools/build-stamp.js hashes as build input).
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-console', import.meta.url)),
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The API finds the build by its manifest (and never serves the .vite folder).
    manifest: true,
    // The polyfill is inline code, which the console's CSP (script-src 'self') refuses.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
  },
});
