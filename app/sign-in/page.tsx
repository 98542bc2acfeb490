import type { Metadata } from "next";
import { redirect } from "next/navigation";
import type { RouteSearchParams } from "@/lib/server/prefetch";
import { getAccess } from "@/lib/server/access";
import { safeReturnPath } from "@/lib/server/origin";
import { getViewer } from "@/lib/server/viewer";
import { AuthCard } from "@/components/auth-card";
import { SignInForm } from "@/components/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function SignInPage({ searchParams }: { searchParams: RouteSearchParams }) {
  const search = await searchParams;
  const next = safeReturnPath(first(search.next));
  const [access, viewer] = await Promise.all([getAccess(), getViewer()]);
  // Already signed in: nothing to do here.
  if (viewer.via !== "anonymous") redirect(next);
  const error = first(search.error)?.slice(0, 300) ?? null;
  const setupPending = await access.hasSetupPending();
  return (
    <AuthCard title="Sign in to Fleetdeck">
      <SignInForm next={next} oidc={access.oidc?.settings.name ?? null} error={error} />
      {setupPending ? (
        <p className="mt-4 text-[12px] text-muted">
          No admin exists yet: open the setup link that Fleetdeck printed in its log at start-up, or restart it with
          FLEETDECK_ADMIN_PASSWORD set.
        </p>
      ) : null}
    </AuthCard>
  );
}
