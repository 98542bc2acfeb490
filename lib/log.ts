/**
 * A small leveled logger to stderr. Never pass credentials, tokens or whole
 * connection objects to it.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

function threshold(): number {
  const fromEnv = (process.env.FLEETDECK_LOG ?? (process.env.VITEST ? "warn" : "info")) as Level;
  return LEVELS[fromEnv] ?? LEVELS.info;
}

/**
 * `redact` rewrites each line before it is written: a cluster's logger
 * removes the cluster's credentials from whatever upstream text it is given.
 */
export function createLogger(scope: string, options: { redact?: (text: string) => string } = {}): Logger {
  const redact = options.redact ?? ((text: string) => text);
  const write = (level: Exclude<Level, "silent">, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold()) return;
    const extra = fields && Object.keys(fields).length ? " " + JSON.stringify(fields) : "";
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${scope}] ${redact(`${message}${extra}`)}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (sub) => createLogger(`${scope}/${sub}`, options),
  };
}
