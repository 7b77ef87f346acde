"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { getReloadJobAction } from "./actions";

export type ReloadJobView = { id: string; status: "RUNNING" | "COMPLETED"; total: number; done: number; reloaded: number; failed: number };

/** Progress of Reload All; tells the page when the job ended (with its final counts), which reloads the table. */
export function ReloadProgress({
  initial,
  focusOnMount = false,
  onFinished,
  onDismiss,
}: {
  initial: ReloadJobView;
  /** Started by this admin from the button: focus moves to the panel's title while the button is disabled. */
  focusOnMount?: boolean;
  onFinished: (job: ReloadJobView) => void;
  onDismiss: () => void;
}) {
  const { toast } = useToast();
  const [job, setJob] = useState(initial);
  const running = job.status === "RUNNING";
  const title = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (focusOnMount) title.current?.focus();
  }, [focusOnMount]);
  useEffect(() => {
    if (!running) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      const result = await getReloadJobAction({ jobId: initial.id }).catch(() => null);
      if (stopped) return;
      if (result?.ok && result.data) {
        setJob(result.data);
        if (result.data.status !== "RUNNING") {
          onFinished(result.data);
          toast({
            kind: result.data.failed ? "error" : "success",
            title: "Directory details reloaded",
            description: `${result.data.reloaded} reloaded, ${result.data.failed} could not be read.`,
          });
          return;
        }
      }
      timer = setTimeout(tick, 1000);
    };
    timer = setTimeout(tick, 500);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [running, initial.id, onFinished, toast]);
  return (
    <section aria-label="Reload All" className="flex flex-wrap items-center gap-3 rounded-xl border border-slate-200 bg-white px-4 py-3 text-sm shadow-sm">
      <span ref={title} tabIndex={-1} className="font-semibold focus:outline-none">
        {running ? "Reloading directory details" : "Directory details reloaded"}
      </span>
      <progress className="h-2 w-40 accent-blue-600" max={Math.max(1, job.total)} value={job.done} aria-label="Reload progress" />
      {/* Progress by quarters for screen readers; the end is the toast's, once. */}
      <span className="sr-only" role="status">
        {running && job.total > 0 ? `Reloading directory details: ${Math.floor((job.done / job.total) * 4) * 25}% done` : ""}
      </span>
      <span className="tabular-nums text-slate-600">
        {job.done.toLocaleString("en-US")} of {job.total.toLocaleString("en-US")} reachable tenants · {job.reloaded} reloaded · {job.failed} failed
      </span>
      {!running && (
        <Button size="sm" variant="ghost" className="ml-auto" onClick={onDismiss}>
          Dismiss
        </Button>
      )}
    </section>
  );
}
