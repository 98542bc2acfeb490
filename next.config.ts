import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The Kubernetes client and the simulators are Node-only; keep them out of the bundler.
  serverExternalPackages: ["@kubernetes/client-node"],
  poweredByHeader: false,
};

export default nextConfig;
