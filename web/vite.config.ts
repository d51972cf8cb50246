import { defineConfig } from "vite";

// Built into web/dist, which the gateway serves (--static-dir); hashed names under
// /assets/ are cached for a year by the gateway.
export default defineConfig({
  build: { outDir: "dist", assetsDir: "assets", target: "es2020" },
});
