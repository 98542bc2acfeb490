/** A route segment as the id it names; tolerant of segments that were already decoded. */
export function segment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
