"use client";

import { createContext, useContext, type ReactNode } from "react";
import type { Me } from "@/lib/model/access";

/** What the browser may know of the server's settings and of its viewer (nothing secret). */
export interface UiSettings {
  readOnly: boolean;
  maxReplicas: number;
  demo: boolean;
  /** Who is looking: name, how they signed in, their grants, and the sign-in methods offered. */
  me: Me;
}

const NOBODY: Me = { user: "anonymous", via: "anonymous", roles: [], admin: false, signIn: { password: true, oidc: null } };
const SettingsContext = createContext<UiSettings>({ readOnly: true, maxReplicas: 1000, demo: false, me: NOBODY });

export function SettingsProvider({ settings, children }: { settings: UiSettings; children: ReactNode }) {
  return <SettingsContext value={settings}>{children}</SettingsContext>;
}

export function useSettings(): UiSettings {
  return useContext(SettingsContext);
}
