import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

/** The push service worker (src/push/sw.ts) as one classic script at /sw.js, outside the app's bundle. */
function serviceWorker(): Plugin {
  return {
    name: 'carewatch-service-worker',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        root: ROOT,
        logLevel: 'warn',
        build: {
          outDir: 'dist',
          emptyOutDir: false,
          sourcemap: true,
          lib: { entry: 'src/push/sw.ts', formats: ['iife'], name: 'carewatchServiceWorker', fileName: () => 'sw.js' },
        },
      });
    },
  };
}

// Root is client/ (`vite build client`); the server serves client/dist at /.
export default defineConfig({
  base: '/',
  plugins: [serviceWorker()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // deck.gl alone is ~1 MB minified; one chunk loads faster over a LAN than a waterfall of small ones.
    chunkSizeWarningLimit: 2500,
    sourcemap: true,
  },
  server: {
    // `vite client` during development: API and socket on the product's server
    proxy: {
      '/api': 'http://localhost:8080',
      '/socket.io': { target: 'ws://localhost:8080', ws: true },
    },
  },
});
