import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The web console. `npm run prepare` (run by `npm ci`) builds it into web/dist, which `inlet serve`
 * serves at `/` (src/api/console.ts). The build must work under a strict CSP: no inline scripts,
 * no eval, no inline styles, nothing from another origin.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Inline assets would be data: URIs in CSS or JS; keep every asset a file on 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite web` during development: the API of a local `inlet serve` behind the same origin.
    proxy: {
      "/data": "http://127.0.0.1:8080",
      "/inlet": "http://127.0.0.1:8080",
    },
  },
});
