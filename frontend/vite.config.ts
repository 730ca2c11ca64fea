/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The build goes straight into the Python package, which serves it (`furu dashboard`);
// the dev server proxies the API to a running `furu dashboard --port 8765`.
export default defineConfig({
  base: "/",
  plugins: [react(), tailwindcss()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: { proxy: { "/api": "http://127.0.0.1:8765" } },
  build: {
    outDir: "../furu/dashboard/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 700, // the largest is ECharts' own chunk (640 kB), loaded only by /charts
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
  },
});
