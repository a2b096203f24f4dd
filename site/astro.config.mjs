// Astro config for the Strategy Lab: a static site built into site/dist and served as the Worker's assets.
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  outDir: './dist',
  build: { format: 'directory' },
  telemetry: false,
  devToolbar: { enabled: false },
});
