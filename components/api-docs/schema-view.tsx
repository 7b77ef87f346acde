import { Fragment } from "react";
import { cn } from "@/components/ui/cn";
import { slug, typeLabel, type FieldNode, type SchemaNode } from "./openapi-model";

/**
 * A named schema's entry: on the reference's schemas section (its own page; the link stays within it when
 * that page is the one shown).
 */
function schemaHref(name: string) {
  return `?section=schemas#schema-${slug(name)}`;
}

function inlineCode(text: string) {
  return text.split("`").map((part, j) =>
    j % 2 === 1 ? (
      <code key={j} className="rounded bg-slate-100 px-1 font-mono text-[0.85em] text-slate-800">
        {part}
      </code>
    ) : (
      <Fragment key={j}>{part}</Fragment>
    ),
  );
}

/** Text from the document with `backticks` shown as code; blank lines separate paragraphs. */
export function DocText({ text, className }: { text?: string; className?: string }) {
  if (!text) return null;
  return (
    <div className={cn("space-y-1.5", className)}>
      {text.split(/\n\s*\n/).map((paragraph, i) => (
        <p key={i}>{inlineCode(paragraph)}</p>
      ))}
    </div>
  );
}

/** The same, on one line (inside a summary or a table cell). */
export function InlineDocText({ text }: { text?: string }) {
  return text ? <>{inlineCode(text.replace(/\s*\n\s*/g, " "))}</> : null;
}

function literal(value: unknown) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Type, nullability, enum values, default, format and limits of one schema, as compact text. */
export function SchemaFacts({ node, lead, mode = "request" }: { node: SchemaNode; lead?: React.ReactNode; mode?: SchemaMode }) {
  const facts: React.ReactNode[] = [];
  if (lead) facts.push(<span key="lead">{lead}</span>);
  if (node.nullable) facts.push(<span key="null">nullable</span>);
  if (node.readOnly) facts.push(<span key="ro">read-only</span>);
  if (node.writeOnly) facts.push(<span key="wo">write-only</span>);
  if (node.deprecated)
    facts.push(
      <span key="dep" className="text-amber-700">
        deprecated
      </span>,
    );
  for (const c of node.constraints)
    facts.push(
      <span key={`c-${c}`} className="break-all">
        {c}
      </span>,
    );
  if (node.hasDefault)
    facts.push(
      <span key="default">
        default <code className="font-mono text-slate-700">{literal(node.defaultValue)}</code>
      </span>,
    );
  // Only a request can carry properties the schema does not list; in a response it says nothing useful.
  if (mode === "request" && node.additional === false && node.properties.length > 0) facts.push(<span key="strict">no other properties</span>);
  return (
    <>
      {node.enumValues && node.enumValues.length > 0 && (
        <div className="mt-1 flex flex-wrap items-center gap-1 text-xs text-slate-600">
          <span>{node.enumValues.length === 1 ? "Always" : "One of"}</span>
          {node.enumValues.map((v) => (
            <code key={literal(v)} className="rounded border border-slate-200 bg-slate-50 px-1.5 py-px font-mono text-[11px] text-slate-800">
              {literal(v)}
            </code>
          ))}
        </div>
      )}
      {facts.length > 0 && (
        <div className="mt-1 flex flex-wrap gap-x-2 text-xs text-slate-500">
          {facts.map((f, i) => (
            <Fragment key={i}>
              {i > 0 && <span aria-hidden>·</span>}
              {f}
            </Fragment>
          ))}
        </div>
      )}
    </>
  );
}

/**
 * "request": the client sends it, so required and optional fields are marked. "response": the server
 * sends every required field, so only fields that may be absent are marked.
 */
export type SchemaMode = "request" | "response";

/** What is inside an object, array or union, if anything: nested below its field. */
function Children({ node, depth, mode }: { node: SchemaNode; depth: number; mode: SchemaMode }) {
  if (node.circular) {
    return node.refName ? (
      <p className="mt-1 text-xs text-slate-500">
        Same shape as{" "}
        <a href={schemaHref(node.refName)} className="font-mono text-blue-700 underline">
          {node.refName}
        </a>{" "}
        (recursive).
      </p>
    ) : null;
  }
  if (node.unresolved)
    return (
      <p className="mt-1 text-xs text-amber-700">
        Unresolved reference <code className="font-mono">{node.unresolved}</code>.
      </p>
    );
  if (node.variants) return <Variants node={node} depth={depth} mode={mode} />;
  if (node.type === "array" && node.items) {
    const items = node.items;
    if (items.properties.length === 0 && !items.variants && !items.circular) {
      return items.enumValues || items.constraints.length > 0 ? (
        <SchemaFacts
          node={items}
          mode={mode}
          lead={
            items.enumValues ? undefined : (
              <>
                each item <span className="font-mono text-slate-700">{typeLabel(items)}</span>
              </>
            )
          }
        />
      ) : null;
    }
    return <Nested label="Each item" node={items} depth={depth} mode={mode} />;
  }
  if (node.properties.length > 0) return <Nested node={node} depth={depth} mode={mode} />;
  if (node.additional && typeof node.additional === "object" && (node.additional.properties.length > 0 || node.additional.variants)) {
    return <Nested label="Each value" node={node.additional} depth={depth} mode={mode} />;
  }
  return null;
}

/**
 * A nested object's fields. The first level is open; deeper ones fold (a response such as a tenant holds
 * objects within objects, and the page would otherwise scroll for screens).
 */
function Nested({ node, depth, label, mode }: { node: SchemaNode; depth: number; label?: string; mode: SchemaMode }) {
  const direct = !(node.circular || node.variants || (node.type === "array" && node.items));
  const count = direct ? node.properties.length : 0;
  const title = label ? (
    <>
      {label}
      {node.refName || !direct ? (
        <>
          : <span className="font-mono">{direct ? node.refName : typeLabel(node)}</span>
        </>
      ) : null}
    </>
  ) : (
    <>
      Fields
      {node.refName ? (
        <>
          {" "}
          of <span className="font-mono">{node.refName}</span>
        </>
      ) : null}
    </>
  );
  const body = direct ? <FieldList fields={node.properties} depth={depth + 1} mode={mode} /> : <Children node={node} depth={depth + 1} mode={mode} />;
  if (depth === 0) {
    return (
      <div className="mt-2 border-l-2 border-slate-200 pl-3">
        {label && <p className="mb-1 text-xs font-medium text-slate-500">{title}</p>}
        {body}
      </div>
    );
  }
  return (
    <details className="group/nested mt-1.5 border-l-2 border-slate-200 pl-3">
      <summary className="cursor-pointer list-none text-xs font-medium text-blue-700 hover:underline [&::-webkit-details-marker]:hidden">
        <span aria-hidden className="mr-1 inline-block transition-transform group-open/nested:rotate-90">
          ▸
        </span>
        {title}
        {count > 0 ? ` (${count})` : ""}
      </summary>
      <div className="mt-1">{body}</div>
    </details>
  );
}

function Variants({ node, depth, mode }: { node: SchemaNode; depth: number; mode: SchemaMode }) {
  const options = node.variants!.options;
  return (
    <div className="mt-2 space-y-2 border-l-2 border-violet-200 pl-3">
      <p className="text-xs font-medium text-violet-800">{node.variants!.kind === "oneOf" ? "Exactly one of these shapes:" : "Any of these shapes:"}</p>
      {options.map((option, i) => (
        <div key={i} className="rounded-md border border-slate-200 bg-slate-50/60 p-2">
          <p className="text-xs font-semibold text-slate-700">
            Option {i + 1}
            {(option.title ?? option.refName) ? (
              <>
                {" "}
                · <span className="font-mono">{option.title ?? option.refName}</span>
              </>
            ) : null}
            {option.properties.length === 0 && <span className="ml-1 font-mono font-normal text-slate-500">{typeLabel(option)}</span>}
          </p>
          <DocText text={option.description} className="text-xs text-slate-600" />
          {option.properties.length > 0 ? (
            <FieldList fields={option.properties} depth={depth + 1} mode={mode} />
          ) : (
            <>
              <SchemaFacts node={option} mode={mode} />
              <Children node={option} depth={depth + 1} mode={mode} />
            </>
          )}
        </div>
      ))}
    </div>
  );
}

/** The fields of an object, one per row, with nested objects, arrays and unions indented below. */
export function FieldList({ fields, depth = 0, mode }: { fields: FieldNode[]; depth?: number; mode: SchemaMode }) {
  if (fields.length === 0) return <p className="text-xs text-slate-500">No fields.</p>;
  return (
    <ul className={cn("divide-y divide-slate-100", depth === 0 && "rounded-lg border border-slate-200 bg-white")}>
      {fields.map((f) => (
        <li key={f.name} className={cn(depth === 0 ? "px-3 py-2.5" : "py-2")}>
          <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
            <code className="font-mono text-[13px] font-semibold text-slate-900">{f.name}</code>
            <span className="font-mono text-xs text-slate-600">
              {typeLabel(f.schema)}
              {f.schema.nullable ? " | null" : ""}
            </span>
            {mode === "request" ? (
              f.required ? (
                <span className="text-[11px] font-semibold uppercase tracking-wide text-red-700">required</span>
              ) : (
                <span className="text-[11px] uppercase tracking-wide text-slate-500">optional</span>
              )
            ) : (
              !f.required && <span className="text-[11px] uppercase tracking-wide text-slate-500">may be absent</span>
            )}
          </div>
          <DocText text={f.schema.description} className="mt-0.5 text-sm text-slate-600" />
          <SchemaFacts node={{ ...f.schema, nullable: false }} mode={mode} />
          <Children node={f.schema} depth={depth} mode={mode} />
        </li>
      ))}
    </ul>
  );
}

/** A request or response body: its top-level shape, then its fields. */
export function SchemaBlock({ node, mode }: { node: SchemaNode; mode: SchemaMode }) {
  const heading = (
    <p className="mb-1.5 text-xs text-slate-600">
      <span className="font-mono font-medium text-slate-800">{typeLabel(node)}</span>
      {node.refName && (
        <>
          {" "}
          ·{" "}
          <a href={schemaHref(node.refName)} className="text-blue-700 underline">
            schema
          </a>
        </>
      )}
      {node.nullable && " · nullable"}
    </p>
  );
  if (node.properties.length > 0 && !node.circular) {
    return (
      <div>
        {heading}
        <DocText text={node.description} className="mb-1.5 text-sm text-slate-600" />
        <FieldList fields={node.properties} mode={mode} />
      </div>
    );
  }
  if (node.type === "array" && node.items && node.items.properties.length > 0 && !node.items.circular) {
    return (
      <div>
        {heading}
        <DocText text={node.description} className="mb-1.5 text-sm text-slate-600" />
        <FieldList fields={node.items.properties} mode={mode} />
      </div>
    );
  }
  return (
    <div>
      {heading}
      <DocText text={node.description} className="text-sm text-slate-600" />
      <SchemaFacts node={{ ...node, nullable: false }} mode={mode} />
      <Children node={node} depth={0} mode={mode} />
    </div>
  );
}
