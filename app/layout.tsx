import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { getAccess } from "@/lib/server/access";
import { getFleet } from "@/lib/server/fleet";
import { getViewer } from "@/lib/server/viewer";
import { Providers } from "@/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Fleetdeck", template: "%s · Fleetdeck" },
  description: "One dashboard over many container orchestrators",
};

// Everything is live cluster state: render per request, never at build time
// (connection() here would not stop a page that renders beside this layout).
// Per request also gives each page its own CSP nonce (proxy.ts).
export const dynamic = "force-dynamic";

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#161b22" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [fleet, access, viewer] = await Promise.all([getFleet(), getAccess(), getViewer()]);
  // Only what the browser needs of the settings and of the viewer, field by field: nothing secret.
  const settings = {
    readOnly: fleet.settings.readOnly,
    maxReplicas: fleet.settings.maxReplicas,
    demo: fleet.settings.demo,
    me: access.me(viewer),
  };
  return (
    <html lang="en">
      <body className="min-h-screen">
        <Providers settings={settings}>{children}</Providers>
      </body>
    </html>
  );
}
