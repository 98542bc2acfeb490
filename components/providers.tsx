"use client";

import type { ReactNode } from "react";
import { QueryClientProvider } from "@tanstack/react-query";
import { getBrowserQueryClient } from "@/lib/client/query-client";
import { LiveEventsProvider } from "./live-events";
import { SettingsProvider, type UiSettings } from "./settings";

export function Providers({ settings, children }: { settings: UiSettings; children: ReactNode }) {
  return (
    <QueryClientProvider client={getBrowserQueryClient()}>
      <SettingsProvider settings={settings}>
        <LiveEventsProvider>{children}</LiveEventsProvider>
      </SettingsProvider>
    </QueryClientProvider>
  );
}
