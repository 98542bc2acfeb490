import { describe, expect, it } from "vitest";
import { SseParser } from "./sse";

describe("SseParser", () => {
  it("parses Marathon's events, whatever the chunk boundaries", () => {
    const stream =
      'event: event_stream_attached\ndata: {"remoteAddress":"127.0.0.1","eventType":"event_stream_attached"}\n\n' +
      'event: status_update_event\r\ndata: {"eventType":"status_update_event","appId":"/shop/web"}\r\n\r\n';
    for (const size of [1, 3, 7, stream.length]) {
      const parser = new SseParser();
      const messages = [];
      for (let i = 0; i < stream.length; i += size) messages.push(...parser.push(stream.slice(i, i + size)));
      expect(messages).toEqual([
        { event: "event_stream_attached", data: '{"remoteAddress":"127.0.0.1","eventType":"event_stream_attached"}', id: null },
        { event: "status_update_event", data: '{"eventType":"status_update_event","appId":"/shop/web"}', id: null },
      ]);
    }
  });

  it("joins multi-line data, ignores comments, defaults the event name and keeps the id", () => {
    const parser = new SseParser();
    const messages = parser.push(": keep-alive\n\nid: 7\ndata: line one\ndata:line two\n\nevent\ndata\n\n");
    expect(messages).toEqual([
      { event: "message", data: "line one\nline two", id: "7" },
      { event: "message", data: "", id: "7" },
    ]);
  });

  it("does not emit an unfinished message", () => {
    const parser = new SseParser();
    expect(parser.push("event: x\ndata: y\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "x", data: "y", id: null }]);
  });
});
