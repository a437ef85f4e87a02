import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation (COOP + COEP) enables SharedArrayBuffer, which multi-threaded
// onnxruntime-web WASM needs; without it numThreads silently falls back to 1.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // onnxruntime-web's default entry embeds its Emscripten glue, and its WASM threads then start
  // workers from the *importing* chunk's URL (our engine worker), which hangs. The
  // "extern wasm" entry loads the glue as its own file (see engine.worker.ts), so threads work.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  // onnxruntime-web ships its own wasm/mjs files; pre-bundling breaks their relative URLs.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  build: {
    target: 'es2022',
    // harness.html drives engine workers for browser tests and the engine benchmark.
    rollupOptions: { input: { main: 'index.html', harness: 'harness.html' } },
  },
});
