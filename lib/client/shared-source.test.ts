import { afterEach, describe, expect, it } from "vitest";
import type { ChangeSource } from "./live";
import { openSharedSource, type LockManagerLike } from "./shared-source";

/** Web Locks as the browser grants them: one holder per name, the others queued in order. */
function fakeLocks(): LockManagerLike {
  const queues = new Map<string, (() => void)[]>();
  return {
    request(name, { signal }, callback) {
      return new Promise((resolve, reject) => {
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        const run = () => {
          void callback().finally(() => {
            queue.shift();
            queue[0]?.();
            resolve(undefined);
          });
        };
        const entry = () => run();
        signal?.addEventListener("abort", () => {
          const i = queue.indexOf(entry);
          // Only a waiter leaves the queue on abort; the holder releases by returning.
          if (i > 0) {
            queue.splice(i, 1);
            reject(new DOMException("aborted", "AbortError"));
          }
        });
        queue.push(entry);
        if (queue.length === 1) run();
      });
    },
  };
}

class FakeStream implements ChangeSource {
  readyState = 0;
  onopen: ChangeSource["onopen"] = null;
  onmessage: ChangeSource["onmessage"] = null;
  onerror: ChangeSource["onerror"] = null;
  closed = false;
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  send(data: string) {
    this.onmessage?.(new MessageEvent("message", { data }));
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

interface Tab {
  source: ChangeSource;
  heard: string[];
}

const tick = () => new Promise((r) => setTimeout(r, 20));
let channelName = "";
const tabs: Tab[] = [];
afterEach(() => tabs.splice(0).forEach((t) => t.source.close()));

function browser() {
  const locks = fakeLocks();
  const streams: FakeStream[] = [];
  channelName = `test-${Math.random()}`;
  const openTab = (): Tab => {
    const heard: string[] = [];
    const source = openSharedSource({
      channelName,
      locks,
      create: () => {
        const s = new FakeStream();
        streams.push(s);
        return s;
      },
    });
    source.onopen = () => heard.push("open");
    source.onmessage = (m) => heard.push(m.data);
    source.onerror = () => heard.push(`error ${source.readyState}`);
    const tab = { source, heard };
    tabs.push(tab);
    return tab;
  };
  return { openTab, streams };
}

describe("one event stream shared by every tab", () => {
  it("opens one stream for ten tabs, and every tab hears it", async () => {
    const { openTab, streams } = browser();
    const all = Array.from({ length: 10 }, openTab);
    await tick();
    expect(streams).toHaveLength(1);
    streams[0].open();
    streams[0].send('{"clusterId":"a","resources":["tasks"]}');
    await tick();
    for (const tab of all) expect(tab.heard).toEqual(["open", '{"clusterId":"a","resources":["tasks"]}']);
  });

  it("a tab that joins an open stream is told it is open", async () => {
    const { openTab, streams } = browser();
    openTab();
    await tick();
    streams[0].open();
    const late = openTab();
    await tick();
    expect(late.heard).toEqual(["open"]);
    expect(late.source.readyState).toBe(1);
    expect(streams).toHaveLength(1);
  });

  it("when the leading tab closes, another opens the stream and every tab resyncs", async () => {
    const { openTab, streams } = browser();
    const [leader, second, third] = [openTab(), openTab(), openTab()];
    await tick();
    streams[0].open();
    await tick();
    leader.source.close();
    await tick();
    expect(streams[0].closed).toBe(true);
    expect(streams).toHaveLength(2);
    streams[1].open();
    streams[1].send("after");
    await tick();
    for (const tab of [second, third]) expect(tab.heard).toEqual(["open", "open", "after"]);
    expect(leader.heard).toEqual(["open"]);
  });

  it("relays a closed stream as an error with CLOSED, so each tab's follower reconnects", async () => {
    const { openTab, streams } = browser();
    const [leader, other] = [openTab(), openTab()];
    await tick();
    streams[0].readyState = 2;
    streams[0].onerror?.(new Event("error"));
    await tick();
    expect(leader.heard).toEqual(["error 2"]);
    expect(other.heard).toEqual(["error 2"]);
  });

  it("falls back to the tab's own stream without Web Locks", () => {
    const own = new FakeStream();
    expect(openSharedSource({ create: () => own, locks: null })).toBe(own);
  });
});
