import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { HydrationBoundary } from "@tanstack/react-query";
import { getFleet } from "@/lib/server/fleet";
import { clustersQuery } from "@/lib/client/queries";
import { dehydrated, getServerQueryClient } from "@/lib/client/server";
import { Providers } from "@/components/providers";
import { TopBar } from "@/components/top-bar";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Fleetdeck", template: "%s · Fleetdeck" },
  description: "One dashboard over many container orchestrators",
};

// Everything is live cluster state: render per request, never at build time
// (connection() here would not stop a page that renders beside this layout).
export const dynamic = "force-dynamic";

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#161b22" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const fleet = await getFleet();
  const queryClient = getServerQueryClient();
  await queryClient.prefetchQuery({ ...clustersQuery(), queryFn: async () => fleet.listClusters() });
  // Only what the browser needs of the settings, field by field.
  const settings = { readOnly: fleet.settings.readOnly, maxReplicas: fleet.settings.maxReplicas, demo: fleet.settings.demo };
  return (
    <html lang="en">
      <body className="min-h-screen">
        <Providers settings={settings}>
          <HydrationBoundary state={dehydrated(queryClient)}>
            <TopBar />
            <main className="mx-auto max-w-[1920px] px-4 py-3">{children}</main>
          </HydrationBoundary>
        </Providers>
      </body>
    </html>
  );
}
