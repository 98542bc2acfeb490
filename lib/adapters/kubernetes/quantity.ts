/**
 * Kubernetes resource quantities ("250m", "1.5Gi", "1e3", "123456789n").
 *
 * Our own parser because the client library's helper throws on fractional
 * binary values such as "1.5Gi". Garbage answers null (never throws), so a
 * malformed field in one object cannot break a whole list.
 */

const BINARY_SUFFIX: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** Decimal suffixes as powers of ten. "" is a plain number. */
const DECIMAL_EXPONENT: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

// sign, digits with an optional fraction, then a suffix: binary, decimal, or an exponent (e3, E-2).
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]?)$/;

/** Mantissa as an integer and a power of ten, so "1.1" * 1000 stays exactly 1100. */
interface Decimal {
  mantissa: number;
  exponent: number;
  binaryFactor: number;
}

function decompose(input: string | number | null | undefined): Decimal | null {
  if (typeof input === "number") {
    return Number.isFinite(input) ? { mantissa: input, exponent: 0, binaryFactor: 1 } : null;
  }
  if (typeof input !== "string") return null;
  const match = QUANTITY.exec(input.trim());
  if (!match) return null;
  const [, sign, number, suffix] = match;
  const [whole, fraction = ""] = number.split(".");
  const mantissa = Number((whole || "0") + fraction) * (sign === "-" ? -1 : 1);
  let exponent = -fraction.length;
  let binaryFactor = 1;
  if (suffix in BINARY_SUFFIX) {
    binaryFactor = BINARY_SUFFIX[suffix];
  } else if (suffix in DECIMAL_EXPONENT) {
    exponent += DECIMAL_EXPONENT[suffix];
  } else {
    exponent += Number(suffix.slice(1));
  }
  if (!Number.isFinite(mantissa)) return null;
  return { mantissa, exponent, binaryFactor };
}

/** value × 10^shift, dividing by an exact power of ten where needed for correct rounding. */
function scaled(d: Decimal, shift: number): number {
  const e = d.exponent + shift;
  const decimal = e >= 0 ? d.mantissa * 10 ** e : d.mantissa / 10 ** -e;
  return decimal * d.binaryFactor;
}

/** The quantity in base units (cores, bytes), or null when it is not a quantity. */
export function parseQuantity(input: string | number | null | undefined): number | null {
  const d = decompose(input);
  return d ? scaled(d, 0) : null;
}

/** CPU quantity in millicores ("250m" → 250, "1.5" → 1500, "123456789n" → 123.456789). */
export function cpuMillis(input: string | number | null | undefined): number | null {
  const d = decompose(input);
  return d ? scaled(d, 3) : null;
}

/** Memory quantity in whole bytes, rounded up as Kubernetes does ("1.5Gi" → 1610612736). */
export function memoryBytes(input: string | number | null | undefined): number | null {
  const value = parseQuantity(input);
  return value === null ? null : Math.ceil(value);
}
