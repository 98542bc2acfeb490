/** Makes a URL-safe id from any name: "arn:aws:eks:eu-west-1:1:cluster/prod" → "arn-aws-eks-eu-west-1-1-cluster-prod". */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "cluster";
}

/** Joins id parts with "~", which names in every orchestrator here avoid and URLs leave alone. */
export function joinId(...parts: (string | null | undefined)[]): string {
  return parts.map((p) => encodeURIComponent(p ?? "").replace(/~/g, "%7E")).join("~");
}

/** The parts joinId joined; an id it cannot have made (a broken %-escape) has none, so it names nothing. */
export function splitId(id: string): string[] {
  try {
    return id.split("~").map((p) => decodeURIComponent(p));
  } catch {
    return [];
  }
}
