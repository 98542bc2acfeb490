import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * The layering, as a rule: each folder may import only what is below it.
 * Tests and test support are exempt (they reach across layers on purpose).
 */
const TESTS = [
  "**/*.test.ts",
  "lib/adapters/*/scripts/**",
  "**/*.test.tsx",
  "lib/testing/**",
  "e2e/**",
  "bench/**",
  "**/int-support.ts",
  "**/fixtures.ts",
  "**/fixtures/**",
];

const only = (files, allowed, why) => ({
  files,
  ignores: TESTS,
  rules: {
    // Any "@/…" import that is not one of `allowed` (or below it).
    "no-restricted-imports": ["error", { patterns: [{ regex: `^@/(?!(${allowed.join("|")})(/|$))`, message: why }] }],
  },
});

const not = (files, forbidden, why) => ({
  files,
  ignores: TESTS,
  rules: {
    "no-restricted-imports": ["error", { patterns: [{ group: forbidden.flatMap((f) => [`@/${f}`, `@/${f}/**`]), message: why }] }],
  },
});

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts", ".data/**"] },
  only(["lib/model/**"], [], "lib/model is the neutral model: it imports nothing of ours."),
  only(["lib/adapters/**"], ["lib/model", "lib/log", "lib/adapters"], "lib/adapters imports only lib/model, lib/log and itself."),
  not(
    ["lib/server/**"],
    ["lib/sim", "components", "app"],
    "lib/server holds server state: it does not import the simulators, components or pages.",
  ),
  not(
    ["lib/client/**", "components/**"],
    ["lib/adapters", "lib/server", "lib/sim"],
    "Browser code does not import adapters, server state or simulators.",
  ),
  not(
    ["lib/sim/**"],
    ["lib/server", "lib/client", "components", "app"],
    "The simulators stand beside Fleetdeck: they do not import its server or its pages.",
  ),
];

export default config;
