import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { ApiReference, ContentView, OperationView, ParameterView, ResponseView } from "./openapi-model";
import { typeLabel } from "./openapi-model";
import { DocText, InlineDocText, SchemaBlock, SchemaFacts, type SchemaMode } from "./schema-view";

const methodStyles: Record<string, string> = {
  GET: "bg-sky-100 text-sky-800 ring-sky-300",
  POST: "bg-emerald-100 text-emerald-800 ring-emerald-300",
  PUT: "bg-amber-100 text-amber-900 ring-amber-300",
  PATCH: "bg-violet-100 text-violet-800 ring-violet-300",
  DELETE: "bg-red-100 text-red-800 ring-red-300",
};

export function MethodBadge({ method, className }: { method: string; className?: string }) {
  return (
    <span
      className={cn(
        "inline-flex w-16 shrink-0 justify-center rounded px-1.5 py-0.5 font-mono text-[11px] font-bold ring-1 ring-inset",
        methodStyles[method] ?? "bg-slate-100 text-slate-700 ring-slate-300",
        className,
      )}
    >
      {method}
    </span>
  );
}

function statusStyle(status: string) {
  if (status.startsWith("2")) return "bg-emerald-50 text-emerald-800 ring-emerald-300";
  if (status.startsWith("3")) return "bg-sky-50 text-sky-800 ring-sky-300";
  if (status.startsWith("4")) return "bg-amber-50 text-amber-900 ring-amber-300";
  if (status.startsWith("5")) return "bg-red-50 text-red-800 ring-red-300";
  return "bg-slate-100 text-slate-700 ring-slate-300";
}

/**
 * The REST API's OpenAPI document as a readable page: a table of contents, how to authenticate, then every
 * operation grouped by tag with its parameters, body and responses, and the shared schemas at the end.
 * Server-rendered; responses and schemas fold with <details>, which needs no script.
 */
/** The sections of the reference: one per tag group, then the shared schemas; a page shows one. */
export const SCHEMAS_SECTION = "schemas";

/** The section a `section` query value names, else the first (unknown values fall back to it). */
export function sectionOf(reference: ApiReference, value: string | undefined): string {
  const anchors = [...reference.groups.map((g) => g.anchor), ...(reference.schemas.length > 0 ? [SCHEMAS_SECTION] : [])];
  return value && anchors.includes(value) ? value : (anchors[0] ?? SCHEMAS_SECTION);
}

/** A link to an anchor of a section: within the page when it is the one shown, else to that section's page. */
export function sectionHref(current: string, section: string, anchor: string): string {
  return section === current ? `#${anchor}` : `?section=${encodeURIComponent(section)}#${anchor}`;
}

export function ApiReferenceView({
  reference,
  origin,
  specUrl,
  tokensHref,
  section: requested,
}: {
  reference: ApiReference;
  /** The console's public origin, for the base URL and the curl example. */
  origin: string;
  specUrl: string;
  /** Settings → API tokens, for administrators; omitted for roles that cannot create tokens. */
  tokensHref?: string;
  /**
   * The section shown (a tag group's anchor or "schemas"); the contents list every operation, linking to
   * its section. One section at a time keeps the page light: every operation with its schemas unfolded
   * is megabytes of HTML, which a browser (and a screen reader) takes seconds to take in.
   */
  section?: string;
}) {
  const current = sectionOf(reference, requested);
  const shownGroups = reference.groups.filter((g) => g.anchor === current);
  const baseUrl = `${origin}${reference.basePath}`;
  // The document's description: its first paragraph leads the page; the others (errors, limits) follow the
  // Authentication block, except any that explain the bearer header, which that block already shows.
  const paragraphs = (reference.description ?? "")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const lead = paragraphs[0];
  const notes = paragraphs.slice(1).filter((p) => !/Authorization: Bearer/i.test(p));
  const operationCount = reference.groups.reduce((n, g) => n + g.operations.length, 0);
  return (
    <div className="lg:grid lg:grid-cols-[17rem_minmax(0,1fr)] lg:gap-8">
      <aside className="mb-6 lg:mb-0">
        <nav
          aria-label="API reference contents"
          className="rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm lg:sticky lg:top-4 lg:max-h-[calc(100vh-2rem)] lg:overflow-y-auto"
        >
          <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Contents</p>
          <ul className="mt-2 space-y-0.5">
            <li>
              <a href="#authentication" className="block rounded px-2 py-1 text-slate-700 hover:bg-slate-100">
                Authentication
              </a>
            </li>
          </ul>
          {reference.groups.map((g) => (
            <div key={g.anchor} className="mt-3">
              <a
                href={sectionHref(current, g.anchor, g.anchor)}
                aria-current={g.anchor === current ? "page" : undefined}
                className="block px-2 text-xs font-semibold uppercase tracking-wide text-slate-500 hover:text-slate-900 aria-[current=page]:text-blue-800"
              >
                {g.name}
              </a>
              <ul className="mt-1 space-y-0.5">
                {g.operations.map((op) => (
                  <li key={op.anchor}>
                    <a
                      href={sectionHref(current, g.anchor, op.anchor)}
                      title={`${op.method} ${op.fullPath}`}
                      className="flex items-start gap-2 rounded px-2 py-1 leading-snug text-slate-700 hover:bg-slate-100"
                    >
                      <MethodBadge method={op.method} className="mt-px w-12 text-[10px]" />
                      <span className="min-w-0">{op.summary ?? op.fullPath}</span>
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
          {reference.schemas.length > 0 && (
            <ul className="mt-3 space-y-0.5">
              <li>
                <a
                  href={sectionHref(current, SCHEMAS_SECTION, "schemas")}
                  aria-current={current === SCHEMAS_SECTION ? "page" : undefined}
                  className="block rounded px-2 py-1 text-slate-700 hover:bg-slate-100 aria-[current=page]:font-semibold aria-[current=page]:text-blue-800"
                >
                  Schemas ({reference.schemas.length})
                </a>
              </li>
            </ul>
          )}
        </nav>
      </aside>

      <div className="min-w-0 space-y-8">
        <header className="space-y-3">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <div>
              <h1 className="text-2xl font-semibold">API reference</h1>
              <p className="text-sm text-slate-600">
                {reference.title}
                {reference.version ? ` ${reference.version}` : ""} · {operationCount} operations
                {reference.openapi ? ` · OpenAPI ${reference.openapi}` : ""}
              </p>
            </div>
            <a href={specUrl} download="openapi.json" className={buttonClass("secondary")}>
              <span aria-hidden>⤓</span> Download openapi.json
            </a>
          </div>
          <DocText text={lead} className="max-w-3xl text-sm text-slate-700" />
          <p className="text-sm text-slate-700">
            Base URL <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[13px]">{baseUrl}</code> · JSON in and out
          </p>
        </header>

        <Authentication reference={reference} baseUrl={baseUrl} tokensHref={tokensHref} notes={notes} />

        {reference.groups.length === 0 && (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
            The OpenAPI document lists no operations.
          </p>
        )}

        {shownGroups.map((g) => (
          <section key={g.anchor} aria-labelledby={g.anchor} className="space-y-4">
            <div className="border-b border-slate-200 pb-2">
              <h2 id={g.anchor} className="scroll-mt-4 text-xl font-semibold">
                {g.name}
              </h2>
              <DocText text={g.description} className="mt-0.5 text-sm text-slate-600" />
            </div>
            {g.operations.map((op) => (
              <Operation key={op.anchor} op={op} />
            ))}
          </section>
        ))}

        {current === SCHEMAS_SECTION && reference.schemas.length > 0 && (
          <section aria-labelledby="schemas" className="space-y-3">
            <div className="border-b border-slate-200 pb-2">
              <h2 id="schemas" className="scroll-mt-4 text-xl font-semibold">
                Schemas
              </h2>
              <p className="mt-0.5 text-sm text-slate-600">The shapes the operations refer to by name.</p>
            </div>
            {reference.schemas.map((s) => (
              <details key={s.anchor} id={s.anchor} className="group scroll-mt-4 rounded-xl border border-slate-200 bg-white shadow-sm">
                <summary className="flex cursor-pointer list-none items-center gap-2 px-4 py-2.5 text-sm [&::-webkit-details-marker]:hidden">
                  <span aria-hidden className="text-slate-400 transition-transform group-open:rotate-90">
                    ▸
                  </span>
                  <span className="font-mono font-semibold">{s.name}</span>
                  <span className="font-mono text-xs text-slate-500">
                    {s.schema.variants ? (s.schema.variants.kind === "oneOf" ? "one of" : "any of") : s.schema.type}
                  </span>
                </summary>
                <div className="border-t border-slate-100 p-4">
                  <SchemaBlock node={{ ...s.schema, refName: undefined }} mode="response" />
                </div>
              </details>
            ))}
          </section>
        )}
      </div>
    </div>
  );
}

function Authentication({ reference, baseUrl, tokensHref, notes }: { reference: ApiReference; baseUrl: string; tokensHref?: string; notes: string[] }) {
  const firstGet = reference.groups.flatMap((g) => g.operations).find((o) => o.method === "GET" && !o.path.includes("{") && !o.isPublic);
  const examplePath = firstGet?.path ?? "/tenants";
  return (
    <section aria-labelledby="authentication" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="authentication" className="scroll-mt-4 text-lg font-semibold">
        Authentication
      </h2>
      <p className="text-sm text-slate-700">
        Every request carries a bearer token: <code className="rounded bg-slate-100 px-1 font-mono text-[13px]">Authorization: Bearer &lt;token&gt;</code>. The
        token&apos;s role decides what it may do; each operation below names the minimum role. A signed-in console session is not a token.
      </p>
      <div className="grid gap-3 md:grid-cols-2">
        <div className="rounded-lg border border-slate-200 p-3">
          <p className="text-sm font-semibold">API token</p>
          <p className="mt-1 text-sm text-slate-600">
            Created by an administrator on{" "}
            {tokensHref ? (
              <Link href={tokensHref} className="font-medium text-blue-700 underline">
                Settings → API tokens
              </Link>
            ) : (
              <span className="font-medium">Settings → API tokens</span>
            )}
            , with a role and an expiry. It starts with <code className="font-mono text-[13px]">tac_</code>, is shown once, and stops working when it expires or
            is revoked.
          </p>
        </div>
        <div className="rounded-lg border border-slate-200 p-3">
          <p className="text-sm font-semibold">Microsoft Entra access token</p>
          <p className="mt-1 text-sm text-slate-600">
            Issued by Entra ID for this console&apos;s API and validated as set on Settings → Entra Authentication (API Audience, API Issuer, required claims).
            Access tokens only: an ID token is refused. The role comes from the token&apos;s <code className="font-mono text-[13px]">roles</code> claim or from
            the group mapping.
          </p>
        </div>
      </div>
      <pre className="overflow-x-auto rounded-lg bg-slate-900 px-4 py-3 font-mono text-xs leading-relaxed text-slate-100">
        {`curl -H "Authorization: Bearer $TAC_TOKEN" \\\n  "${baseUrl}${examplePath}"`}
      </pre>
      {notes.length > 0 && (
        <div className="space-y-1.5 border-t border-slate-100 pt-3 text-xs text-slate-600">
          {notes.map((n, i) => (
            <DocText key={i} text={n} />
          ))}
        </div>
      )}
    </section>
  );
}

function Operation({ op }: { op: OperationView }) {
  const title = op.summary ?? `${op.method} ${op.fullPath}`;
  return (
    <article id={op.anchor} aria-labelledby={`${op.anchor}-title`} className="scroll-mt-4 rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="space-y-2 border-b border-slate-100 px-5 py-4">
        <div className="flex flex-wrap items-start justify-between gap-2">
          <h3 id={`${op.anchor}-title`} className="text-base font-semibold">
            <a href={`#${op.anchor}`} className="hover:underline">
              {title}
            </a>
            {op.deprecated && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">Deprecated</span>}
          </h3>
          {op.requiredRole ? (
            <span className="rounded-full bg-slate-100 px-2.5 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-inset ring-slate-300">
              Minimum role: {op.requiredRole}
            </span>
          ) : op.isPublic ? (
            <span className="rounded-full bg-emerald-50 px-2.5 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-inset ring-emerald-300">
              Public: no token needed
            </span>
          ) : null}
        </div>
        <div className="flex min-w-0 items-center gap-2">
          <MethodBadge method={op.method} />
          <code className="min-w-0 break-all font-mono text-sm text-slate-800">{op.fullPath}</code>
        </div>
        <DocText text={op.description} className="text-sm text-slate-700" />
      </div>
      <div className="space-y-5 px-5 py-4">
        {op.parameters.length > 0 && <Parameters parameters={op.parameters} />}
        {op.requestBody && (
          <div>
            <h4 className="mb-1.5 text-sm font-semibold">
              Request body{" "}
              <span className={cn("text-xs font-normal", op.requestBody.required ? "text-red-700" : "text-slate-500")}>
                {op.requestBody.required ? "required" : "optional"}
              </span>
            </h4>
            <DocText text={op.requestBody.description} className="mb-1.5 text-sm text-slate-600" />
            {op.requestBody.contents.map((c) => (
              <Content key={c.mediaType} content={c} mode="request" />
            ))}
          </div>
        )}
        <div>
          <h4 className="mb-1.5 text-sm font-semibold">Responses</h4>
          <div className="space-y-1.5">
            {op.responses.map((r) => (
              <Response key={r.status} response={r} />
            ))}
          </div>
        </div>
      </div>
    </article>
  );
}

function Parameters({ parameters }: { parameters: ParameterView[] }) {
  return (
    <div>
      <h4 className="mb-1.5 text-sm font-semibold">Parameters</h4>
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table className="min-w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-3 py-2">
                Name
              </th>
              <th scope="col" className="px-3 py-2">
                In
              </th>
              <th scope="col" className="px-3 py-2">
                Type
              </th>
              <th scope="col" className="px-3 py-2">
                Description
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {parameters.map((p) => (
              <tr key={`${p.in}:${p.name}`} className="align-top">
                <td className="whitespace-nowrap px-3 py-2">
                  <code className="font-mono text-[13px] font-semibold">{p.name}</code>
                  <div className={cn("text-[11px] uppercase tracking-wide", p.required ? "font-semibold text-red-700" : "text-slate-500")}>
                    {p.required ? "required" : "optional"}
                  </div>
                </td>
                <td className="px-3 py-2 text-slate-600">{p.in}</td>
                <td className="whitespace-nowrap px-3 py-2 font-mono text-xs text-slate-700">{typeLabel(p.schema)}</td>
                <td className="px-3 py-2 text-slate-600">
                  <DocText text={p.description} />
                  <SchemaFacts node={p.schema} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Content({ content, mode }: { content: ContentView; mode: SchemaMode }) {
  return (
    <div className="space-y-1">
      <p className="font-mono text-[11px] text-slate-500">{content.mediaType}</p>
      {content.schema ? <SchemaBlock node={content.schema} mode={mode} /> : <p className="text-xs text-slate-500">No schema given.</p>}
    </div>
  );
}

function Response({ response }: { response: ResponseView }) {
  const success = response.status.startsWith("2");
  const hasBody = response.contents.some((c) => c.schema) || response.headers.length > 0;
  const summary = (
    <>
      <span
        className={cn(
          "inline-flex w-12 shrink-0 justify-center rounded px-1.5 py-0.5 font-mono text-xs font-semibold ring-1 ring-inset",
          statusStyle(response.status),
        )}
      >
        {response.status}
      </span>
      <span className="min-w-0 flex-1 text-slate-700">
        <InlineDocText text={response.description} />
      </span>
      {response.contents.length > 0 && (
        <span className="hidden font-mono text-[11px] text-slate-500 sm:inline">{response.contents.map((c) => c.mediaType).join(", ")}</span>
      )}
    </>
  );
  if (!hasBody) return <div className="flex items-center gap-2 rounded-lg border border-slate-200 px-3 py-2 text-sm">{summary}</div>;
  return (
    <details open={success} className="group rounded-lg border border-slate-200">
      <summary className="flex cursor-pointer list-none items-center gap-2 px-3 py-2 text-sm [&::-webkit-details-marker]:hidden">
        <span aria-hidden className="text-slate-400 transition-transform group-open:rotate-90">
          ▸
        </span>
        {summary}
      </summary>
      <div className="space-y-3 border-t border-slate-100 px-3 py-3">
        {response.headers.length > 0 && (
          <div className="text-xs text-slate-600">
            <p className="font-semibold text-slate-700">Headers</p>
            <ul className="mt-1 space-y-0.5">
              {response.headers.map((h) => (
                <li key={h.name}>
                  <code className="font-mono text-slate-800">{h.name}</code>
                  {h.schema ? <span className="ml-1 font-mono text-slate-500">{typeLabel(h.schema)}</span> : null}
                  {h.description ? (
                    <>
                      {" "}
                      — <InlineDocText text={h.description} />
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          </div>
        )}
        {response.contents.map((c) => (
          <Content key={c.mediaType} content={c} mode="response" />
        ))}
      </div>
    </details>
  );
}
