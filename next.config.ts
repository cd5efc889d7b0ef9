// Next serves only the pages; the engine runs in server/main.ts and never enters Next's bundles.
import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The whole project is type-checked by `tsc` in the test suite; Next only bundles the pages.
  typescript: { ignoreBuildErrors: true },
};

export default config;
