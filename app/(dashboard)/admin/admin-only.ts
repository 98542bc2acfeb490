import "server-only";
import { notFound } from "next/navigation";
import { isAdmin } from "@/lib/server/authz";
import { getViewer } from "@/lib/server/viewer";

/** The admin pages exist only for admins: anyone else gets the 404 page (and the API refuses them anyway). */
export async function requireAdmin(): Promise<void> {
  if (!isAdmin((await getViewer()).actor)) notFound();
}
