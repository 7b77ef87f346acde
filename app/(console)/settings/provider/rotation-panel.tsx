import { Pagination } from "@/components/pagination";
import { LocalTime } from "@/components/ui/local-time";
import { rotationHistory, type RotationView } from "@/lib/provider/rotation";
import { RotateSecret } from "./rotate-secret";

const stateText: Record<RotationView["state"], string> = {
  accepting: "Waiting until Microsoft accepts the new secret",
  canary: "Verifying tenants with the new secret",
  grace: "Switched; the old secret is kept until the grace period ends",
  completed: "Completed",
  rolled_back: "Rolled back: the old secret stays in use",
  failed: "Stopped",
};

const outcomeClass: Record<string, string> = { ok: "rot-ok", waiting: "rot-waiting", failed: "rot-failed", info: "rot-info" };

/** Rotations per page of the history. */
export const ROTATIONS_PER_PAGE = 5;

function Timeline({ rotation, renderedAt }: { rotation: RotationView; renderedAt: number }) {
  return (
    <ol aria-label="Rotation timeline" className="space-y-1 text-sm">
      {rotation.timeline.map((e, i) => (
        <li key={i} className="rot-step">
          <span className={outcomeClass[e.outcome]}>{e.outcome}</span>
          <LocalTime value={e.at} renderedAt={renderedAt} className="text-xs text-slate-500" />
          <span>{e.message}</span>
        </li>
      ))}
    </ol>
  );
}

function summary(r: RotationView) {
  const secrets = [r.oldHint && `${r.oldHint}…`, r.newHint && `${r.newHint}…`].filter(Boolean).join(" → ");
  return `${stateText[r.state]}${r.trigger === "schedule" ? " · scheduled" : ""}${secrets ? ` · ${secrets}` : ""}`;
}

/**
 * The registration's secret rotations: "Rotate secret now", then the history, newest first, a page at a
 * time; each rotation with its timeline of audited steps (the newest one open).
 */
export async function RotationPanel({
  id,
  name,
  canRotate,
  hasSecret,
  page = 1,
  basePath,
}: {
  id: string;
  name: string;
  canRotate: boolean;
  hasSecret: boolean;
  page?: number;
  basePath: string;
}) {
  const history = await rotationHistory(id, page, ROTATIONS_PER_PAGE);
  const renderedAt = new Date().getTime();
  if (!history || (!hasSecret && history.total === 0)) return null;
  const latest = page === 1 ? history.items[0] : undefined;
  return (
    <section aria-labelledby={`rotation-${id}`} className="card space-y-3">
      <div className="flex items-start justify-between gap-3">
        <div>
          <h2 id={`rotation-${id}`} className="text-base font-semibold">
            Secret rotation
          </h2>
          <p className="text-sm text-slate-600">
            {latest ? (
              <>
                {stateText[latest.state]} · started <LocalTime value={latest.startedAt} renderedAt={renderedAt} /> by {latest.requestedBy}
              </>
            ) : history.total === 0 ? (
              "This registration's secret has not been rotated by the console yet."
            ) : (
              `Rotation history, page ${page}.`
            )}
          </p>
        </div>
        {canRotate && hasSecret && <RotateSecret id={id} name={name} />}
      </div>
      {history.total > 0 && (
        <ol aria-label="Rotation history" className="divide-y divide-slate-100 rounded-md border border-slate-200">
          {history.items.map((r) => (
            <li key={r.id}>
              <details open={r === latest} className="group px-3 py-2">
                <summary className="cursor-pointer text-sm">
                  <LocalTime value={r.startedAt} renderedAt={renderedAt} className="font-medium" /> <span className="text-slate-700">{summary(r)}</span>{" "}
                  <span className="text-xs text-slate-500">by {r.requestedBy}</span>
                </summary>
                <div className="mt-2 space-y-2">
                  {r.error && <p className="text-sm text-red-800">{r.error}</p>}
                  <Timeline rotation={r} renderedAt={renderedAt} />
                </div>
              </details>
            </li>
          ))}
        </ol>
      )}
      {history.total > ROTATIONS_PER_PAGE && <Pagination basePath={basePath} page={page} pageSize={ROTATIONS_PER_PAGE} total={history.total} />}
    </section>
  );
}
