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

  it("reads Jetty's framing: CRLF line ends, and a keep-alive written as CR and LF in two flushes", () => {
    const parser = new SseParser();
    const chunks = [
      'event: status_update_event\r\ndata: {"appId":"/a"}\r\n\r\n',
      "\r",
      "\n",
      "\r",
      '\nevent: deployment_success\r\ndata: {"id":"d1"}\r\n',
      "\r",
      "\n",
    ];
    const messages = chunks.flatMap((chunk) => parser.push(chunk));
    expect(messages).toEqual([
      { event: "status_update_event", data: '{"appId":"/a"}', id: null },
      { event: "deployment_success", data: '{"id":"d1"}', id: null },
    ]);
  });

  it("does not emit an unfinished message", () => {
    const parser = new SseParser();
    expect(parser.push("event: x\ndata: y\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "x", data: "y", id: null }]);
  });
});
