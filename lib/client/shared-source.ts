import type { ChangeSource } from "./live";

/**
 * One /api/events stream for every tab of the browser: a browser allows six
 * HTTP/1.1 connections per host, so a stream per tab starves the seventh tab's
 * fetches. The tab holding a Web Lock opens the EventSource and relays what it
 * hears over a BroadcastChannel; the others listen there. When the leader tab
 * closes, its lock passes to a waiting tab, which opens the stream anew: every
 * tab then sees "open" and resyncs, so nothing is lost in the handover.
 */

/** The part of navigator.locks used here (tests hand in their own). */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

type Relay =
  | { type: "open" }
  | { type: "message"; data: string }
  | { type: "error"; readyState: number }
  /** A tab that just joined asks what the stream is doing. */
  | { type: "hello" }
  | { type: "state"; readyState: number };

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

export interface SharedSourceOptions {
  /** Opens the real stream (in the leader tab only). */
  create: () => ChangeSource;
  channelName?: string;
  locks?: LockManagerLike | null;
  channel?: () => BroadcastChannel;
}

/** A ChangeSource shared by all tabs; without Web Locks or BroadcastChannel, the tab's own stream. */
export function openSharedSource(options: SharedSourceOptions): ChangeSource {
  const name = options.channelName ?? "fleetdeck-events";
  const locks = options.locks !== undefined ? options.locks : typeof navigator !== "undefined" ? (navigator.locks ?? null) : null;
  const makeChannel = options.channel ?? (typeof BroadcastChannel !== "undefined" ? () => new BroadcastChannel(name) : null);
  if (!locks || !makeChannel) return options.create();

  const channel = makeChannel();
  const released = new AbortController();
  let stream: ChangeSource | null = null;
  let releaseLock: (() => void) | null = null;

  let readyState = CONNECTING;
  const shared: ChangeSource = {
    get readyState() {
      return readyState;
    },
    onopen: null,
    onmessage: null,
    onerror: null,
    close() {
      if (released.signal.aborted) return;
      readyState = CLOSED;
      released.abort();
      stream?.close();
      stream = null;
      releaseLock?.();
      channel.close();
    },
  };
  // What this tab hears, whether from its own stream or relayed.
  const deliver = (relay: Relay) => {
    if (released.signal.aborted) return;
    if (relay.type === "open" || (relay.type === "state" && relay.readyState === OPEN && readyState !== OPEN)) {
      readyState = OPEN;
      shared.onopen?.(new Event("open"));
    } else if (relay.type === "message") {
      shared.onmessage?.(new MessageEvent("message", { data: relay.data }));
    } else if (relay.type === "error") {
      readyState = relay.readyState === CLOSED ? CLOSED : CONNECTING;
      shared.onerror?.(new Event("error"));
    }
  };

  channel.onmessage = (event: MessageEvent<Relay>) => {
    const relay = event.data;
    if (relay.type === "hello") {
      if (stream) channel.postMessage({ type: "state", readyState: stream.readyState } satisfies Relay);
      return;
    }
    // A tab that leads hears its own stream directly.
    if (!stream) deliver(relay);
  };
  channel.postMessage({ type: "hello" } satisfies Relay);

  const relay = (message: Relay) => {
    channel.postMessage(message);
    deliver(message);
  };
  void locks
    .request(name, { signal: released.signal }, async () => {
      if (released.signal.aborted) return;
      const own = options.create();
      stream = own;
      own.onopen = () => relay({ type: "open" });
      own.onmessage = (message) => relay({ type: "message", data: message.data });
      own.onerror = () => relay({ type: "error", readyState: own.readyState });
      // Held until this tab closes its source (or the tab goes away, which frees the lock).
      await new Promise<void>((resolve) => {
        releaseLock = resolve;
        if (released.signal.aborted) resolve();
      });
    })
    // Aborted while waiting for the lock: this tab closed before it led.
    .catch(() => undefined);
  return shared;
}
