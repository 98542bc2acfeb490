import type { Metadata } from "next";
import type { RouteSearchParams } from "@/lib/server/prefetch";
import { getAccess } from "@/lib/server/access";
import { AuthCard } from "@/components/auth-card";
import { SetupForm } from "@/components/setup-form";

export const metadata: Metadata = { title: "Set up" };

/**
 * The one-time setup link printed in the log at first start. The token is
 * checked when the form is sent, not here, so this page reveals nothing.
 */
export default async function SetupPage({ searchParams }: { searchParams: RouteSearchParams }) {
  const raw = (await searchParams).key;
  const token = (Array.isArray(raw) ? raw[0] : raw) ?? "";
  const pending = await (await getAccess()).hasSetupPending();
  return (
    <AuthCard title="Create the first admin">
      {pending && token ? (
        <SetupForm token={token} />
      ) : (
        <p className="text-muted">
          {pending ? "Open the complete setup link from Fleetdeck's log." : "Fleetdeck already has an admin. "}
          {pending ? null : (
            <a href="/sign-in" className="text-accent hover:underline">
              Sign in
            </a>
          )}
        </p>
      )}
    </AuthCard>
  );
}
