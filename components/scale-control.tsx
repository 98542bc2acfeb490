"use client";

import { useRef, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { clusterKeys, scaleWorkload, workloadQuery } from "@/lib/client/queries";
import { plural } from "@/lib/format";
import { describeScale, needsConfirmation } from "@/lib/client/scale";
import type { Workload } from "@/lib/model/types";
import { ApiRequestError } from "@/lib/client/api";
import { useSettings } from "./settings";

const button =
  "h-8 rounded border border-border bg-surface px-2.5 text-[13px] hover:bg-surface-2 disabled:cursor-not-allowed disabled:opacity-50";

/**
 * Sets a workload's replicas: step buttons, a number, Apply. The server is
 * the judge of what is valid (its message is shown as is); large or
 * destructive changes ask first, in a dialog that says what will happen.
 */
export function ScaleControl({
  clusterId,
  workload,
  taskWord = "pod",
  canForce = false,
}: {
  clusterId: string;
  workload: Workload;
  taskWord?: string;
  /** The orchestrator can scale through a rollout in progress (cancelling it). */
  canForce?: boolean;
}) {
  const settings = useSettings();
  const queryClient = useQueryClient();
  // null: follow the workload's desired replicas as they change live.
  const [draft, setDraft] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);
  const [pending, setPending] = useState<{ replicas: number; force: boolean } | null>(null);
  // A 409 (a rollout holds the workload) can be forced where the orchestrator allows it.
  const [conflict, setConflict] = useState<number | null>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);

  const mutation = useMutation({
    mutationFn: ({ replicas, force }: { replicas: number; force: boolean }) => scaleWorkload(clusterId, workload.id, replicas, force),
    onSuccess: (updated) => {
      queryClient.setQueryData(workloadQuery(clusterId, workload.id).queryKey, updated);
      void queryClient.invalidateQueries({ queryKey: clusterKeys.resource(clusterId, "workloads") });
      void queryClient.invalidateQueries({ queryKey: clusterKeys.resource(clusterId, "tasks") });
      setDraft(null);
      setMessage({ tone: "info", text: `Scaling to ${plural(updated.desired, "replica")}; ${taskWord}s follow below as they change.` });
    },
    onError: (error: Error, { replicas }) => {
      setMessage({ tone: "error", text: error.message });
      if (canForce && error instanceof ApiRequestError && error.status === 409) setConflict(replicas);
    },
  });

  if (settings.readOnly) return null; // the workload page says why instead
  if (!workload.scalable) {
    return (
      <p className="rounded border border-border bg-surface-2 px-3 py-2 text-muted">
        {`Not scalable${workload.notScalableReason ? `: ${workload.notScalableReason}` : "."}`}
      </p>
    );
  }

  const value = draft ?? String(workload.desired);
  const numeric = value.trim() === "" ? Number.NaN : Number(value);
  const step = (delta: number) => {
    const base = Number.isFinite(numeric) ? Math.trunc(numeric) : workload.desired;
    setDraft(String(Math.max(0, Math.min(settings.maxReplicas, base + delta))));
    setMessage(null);
  };

  const submit = (replicas: number, force = false) => {
    setMessage(null);
    setConflict(null);
    mutation.mutate({ replicas, force });
  };

  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (mutation.isPending) return;
    if (!Number.isFinite(numeric)) {
      setMessage({ tone: "error", text: "Enter a number of replicas." });
      return;
    }
    if (numeric === workload.desired) {
      setMessage({ tone: "info", text: `Already at ${plural(workload.desired, "replica")}.` });
      return;
    }
    if (needsConfirmation(workload.desired, numeric)) {
      setPending({ replicas: numeric, force: false });
      dialogRef.current?.showModal();
      return;
    }
    // Negative or fractional values go to the server too: its answer is the one the operator sees.
    submit(numeric);
  };

  return (
    <div>
      <form onSubmit={apply} aria-label="Scale" className="flex flex-wrap items-center gap-2">
        <div className="flex items-center">
          <button
            type="button"
            aria-label="One replica fewer"
            className={`${button} rounded-r-none`}
            onClick={() => step(-1)}
            disabled={numeric <= 0}
          >
            −
          </button>
          <input
            type="number"
            inputMode="numeric"
            aria-label="Replicas"
            value={value}
            onChange={(e) => {
              setDraft(e.target.value);
              setMessage(null);
            }}
            className="figure h-8 w-20 border-y border-border bg-surface px-2 text-center text-[13px] [appearance:textfield] [&::-webkit-inner-spin-button]:appearance-none"
          />
          <button
            type="button"
            aria-label="One replica more"
            className={`${button} rounded-l-none`}
            onClick={() => step(1)}
            disabled={numeric >= settings.maxReplicas}
          >
            +
          </button>
        </div>
        <button
          type="submit"
          // aria-disabled, not disabled: a disabled button drops the keyboard focus to <body>.
          aria-disabled={mutation.isPending}
          className="h-8 rounded bg-accent px-3 text-[13px] font-medium text-white hover:opacity-90 aria-disabled:opacity-50 dark:text-black"
        >
          {mutation.isPending ? "Applying…" : "Apply"}
        </button>
        {draft !== null && Number.isFinite(numeric) && numeric !== workload.desired ? (
          <span className="text-[12px] text-muted">
            {workload.desired} → {value}
          </span>
        ) : null}
      </form>
      {message ? (
        <p
          role={message.tone === "error" ? "alert" : "status"}
          className={`mt-2 text-[12px] ${message.tone === "error" ? "text-danger" : "text-muted"}`}
        >
          {message.text}
        </p>
      ) : null}
      {conflict !== null ? (
        <button
          type="button"
          className={`${button} mt-2 border-danger/50 text-danger`}
          onClick={() => {
            setPending({ replicas: conflict, force: true });
            dialogRef.current?.showModal();
          }}
        >
          {`Force scale to ${conflict}…`}
        </button>
      ) : null}

      <dialog
        ref={dialogRef}
        aria-labelledby="scale-confirm-title"
        onClose={() => setPending(null)}
        className="m-auto max-w-md rounded-lg border border-border bg-surface p-0 text-foreground shadow-xl"
      >
        {pending !== null ? (
          <div className="p-5">
            <h2 id="scale-confirm-title" className="text-base font-semibold">
              {pending.force
                ? `Force ${workload.name} to ${plural(pending.replicas, "replica")}?`
                : pending.replicas === 0
                  ? `Scale ${workload.name} to zero?`
                  : `Scale ${workload.name} to ${plural(pending.replicas, "replica")}?`}
            </h2>
            <p className="mt-2 text-[13px] text-muted">
              {pending.force
                ? `A deployment in progress holds ${workload.name}. Forcing cancels that deployment and sets ${plural(pending.replicas, "replica")} now; what it was rolling out stops where it is.`
                : describeScale(workload, pending.replicas, taskWord)}
            </p>
            {workload.autoscaler ? (
              <p className="mt-2 text-[13px] text-warn">The autoscaler {workload.autoscaler.name} may change it back.</p>
            ) : null}
            <div className="mt-4 flex justify-end gap-2">
              <button type="button" autoFocus className={button} onClick={() => dialogRef.current?.close()}>
                Cancel
              </button>
              <button
                type="button"
                className={`h-8 rounded px-3 text-[13px] font-medium text-white hover:opacity-90 ${pending.replicas === 0 || pending.force ? "bg-danger" : "bg-accent dark:text-black"}`}
                onClick={() => {
                  const { replicas, force } = pending;
                  dialogRef.current?.close();
                  submit(replicas, force);
                }}
              >
                {pending.force ? `Force scale to ${pending.replicas}` : `Scale to ${pending.replicas}`}
              </button>
            </div>
          </div>
        ) : null}
      </dialog>
    </div>
  );
}
