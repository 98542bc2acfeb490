"use client";

import { createContext, useContext, type ReactNode } from "react";

/** What the browser may know of the server's settings (nothing secret). */
export interface UiSettings {
  readOnly: boolean;
  maxReplicas: number;
  demo: boolean;
}

const SettingsContext = createContext<UiSettings>({ readOnly: true, maxReplicas: 1000, demo: false });

export function SettingsProvider({ settings, children }: { settings: UiSettings; children: ReactNode }) {
  return <SettingsContext value={settings}>{children}</SettingsContext>;
}

export function useSettings(): UiSettings {
  return useContext(SettingsContext);
}
