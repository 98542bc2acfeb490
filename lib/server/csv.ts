import "server-only";
import Papa from "papaparse";

/**
 * CSV for spreadsheets: a header row, then one row per item, CRLF line ends,
 * and cells a spreadsheet would run as formulas (=, +, -, @) escaped, since
 * names come from orchestrators and users.
 */
export function spreadsheetCsv(fields: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const data = rows.map((row) => row.map((cell) => cell ?? ""));
  return Papa.unparse({ fields: [...fields], data }, { escapeFormulae: true, newline: "\r\n" }) + "\r\n";
}

/** A CSV download. */
export function csvResponse(csv: string, filename: string): Response {
  return new Response(csv, {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"` },
  });
}
