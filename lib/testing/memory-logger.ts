import type { Logger } from "@/lib/log";

/**
 * A logger for tests that keeps what it is told as "level message {fields}"
 * lines, so a test can read warnings and check that nothing secret was logged.
 */
export function memoryLogger(lines: string[] = []): Logger & { lines: string[] } {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message}${fields ? " " + JSON.stringify(fields) : ""}`);
  };
  return {
    lines,
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: () => memoryLogger(lines),
  };
}
