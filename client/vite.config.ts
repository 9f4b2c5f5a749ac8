import { defineConfig } from 'vite';

// Root is client/ (`vite build client`); the server serves client/dist at /.
export default defineConfig({
  base: '/',
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
