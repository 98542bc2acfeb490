// Stands in for the "server-only" guard package under Vitest.
export {};
