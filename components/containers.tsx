import type { Container, ContainerState } from "@/lib/model/types";
import { Age } from "./age";
import { Dot, type Tone } from "./badge";
import { Facts } from "./details";

/** Running and ready is fine; waiting or failing its check is a warning; an exit with an error is trouble, a clean one is not. */
function containerTone(c: Container): Tone {
  if (c.state === "running") return c.ready === false ? "warn" : "ok";
  if (c.state === "exited") return c.lastExit?.exitCode ? "danger" : "neutral";
  return "warn";
}

const STATE_WORDS: Record<ContainerState, string> = { waiting: "Waiting", running: "Running", exited: "Exited", unknown: "Unknown" };

/** "OOMKilled, exit 137, 3m ago": how a run ended, with what is known of it. */
function ExitLine({ exit, now }: { exit: NonNullable<Container["lastExit"]>; now: number }) {
  const parts = [exit.reason, exit.exitCode !== null ? `exit ${exit.exitCode}` : null].filter(Boolean).join(", ");
  return (
    <span className={exit.exitCode ? "text-danger" : ""}>
      {parts || "ended"}
      {exit.at ? (
        <>
          {", "}
          <Age since={exit.at} now={now} />
        </>
      ) : null}
    </span>
  );
}

/** A task's containers, each with its state, image, restarts and how its last run ended; cards, so a phone needs no sideways scroll. */
export function ContainerList({ containers, now }: { containers: Container[]; now: number }) {
  if (containers.length === 0) return <p className="text-[12px] text-muted">The orchestrator reports no containers for this task.</p>;
  return (
    <ul className="divide-y divide-border">
      {containers.map((c) => (
        <li key={c.name} className="space-y-1 py-2 first:pt-0 last:pb-0">
          <div className="flex flex-wrap items-center gap-x-2 text-[12px]">
            <span className="break-all font-medium">{c.name}</span>
            <span className="inline-flex items-center gap-1.5">
              <Dot tone={containerTone(c)} />
              {STATE_WORDS[c.state]}
              {c.state === "running" && c.ready === false ? <span className="text-muted">(not ready)</span> : null}
            </span>
            {c.stateReason ? <span className="text-muted">· {c.stateReason}</span> : null}
          </div>
          <Facts
            items={[
              [
                "Image",
                c.image ? (
                  <span key="image" className="break-all font-mono">
                    {c.image}
                  </span>
                ) : (
                  "not reported"
                ),
              ],
              [
                "Restarts",
                <span key="restarts" className={`figure ${c.restarts > 0 ? "text-warn" : ""}`}>
                  {c.restarts}
                </span>,
              ],
              ["Started", c.startedAt ? <Age key="started" since={c.startedAt} now={now} /> : "not yet"],
              [c.state === "exited" ? "Exit" : "Last exit", c.lastExit ? <ExitLine key="exit" exit={c.lastExit} now={now} /> : "none"],
            ]}
          />
        </li>
      ))}
    </ul>
  );
}
