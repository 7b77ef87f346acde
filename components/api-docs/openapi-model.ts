/**
 * Turns an OpenAPI 3.1 document (as lib/api/openapi.ts produces it) into a plain view model for the API
 * reference page: operations grouped by tag, and every schema resolved into a tree of fields. Pure and
 * defensive: the document is read as `unknown`, so a field this page does not know is skipped, never a
 * crash.
 * @see https://spec.openapis.org/oas/v3.1.0
 * @see https://json-schema.org/draft/2020-12/json-schema-core (JSON Schema 2020-12, used by OpenAPI 3.1)
 */

type Obj = Record<string, unknown>;

export type SchemaNode = {
  /** "object", "array", "string", "integer", "number", "boolean", "null", "any", "union", or several joined by " | ". */
  type: string;
  /** The components.schemas name this schema was reached through, if any. */
  refName?: string;
  title?: string;
  description?: string;
  format?: string;
  nullable: boolean;
  enumValues?: unknown[];
  defaultValue?: unknown;
  hasDefault?: boolean;
  /** Human-readable limits: lengths, ranges, pattern, item counts. */
  constraints: string[];
  readOnly?: boolean;
  writeOnly?: boolean;
  deprecated?: boolean;
  properties: FieldNode[];
  /** additionalProperties as a schema (a map), or `false` when unknown properties are refused. */
  additional?: SchemaNode | false;
  items?: SchemaNode;
  variants?: { kind: "oneOf" | "anyOf"; options: SchemaNode[] };
  /** A $ref met again while it was being expanded (a recursive schema): shown by name, not expanded. */
  circular?: boolean;
  /** A $ref that points nowhere in the document. */
  unresolved?: string;
};

export type FieldNode = { name: string; required: boolean; schema: SchemaNode };

export type ParameterView = { name: string; in: string; required: boolean; description?: string; deprecated?: boolean; schema: SchemaNode };
export type ContentView = { mediaType: string; schema?: SchemaNode };
export type RequestBodyView = { required: boolean; description?: string; contents: ContentView[] };
export type ResponseView = {
  status: string;
  description?: string;
  contents: ContentView[];
  headers: { name: string; description?: string; schema?: SchemaNode }[];
};

export type OperationView = {
  anchor: string;
  method: string;
  /** The path as the document writes it, relative to the server. */
  path: string;
  /** The server's base path joined with `path`: what follows the host in a request. */
  fullPath: string;
  operationId?: string;
  summary?: string;
  description?: string;
  tag: string;
  /** From `x-required-role` (or `x-minimum-role`), e.g. "Operator". */
  requiredRole?: string;
  /** The operation opts out of authentication (`security: []`). */
  isPublic: boolean;
  deprecated: boolean;
  parameters: ParameterView[];
  requestBody?: RequestBodyView;
  responses: ResponseView[];
};

export type TagGroup = { name: string; anchor: string; description?: string; operations: OperationView[] };
export type SecuritySchemeView = { name: string; type: string; scheme?: string; bearerFormat?: string; description?: string };

export type ApiReference = {
  openapi?: string;
  title: string;
  version?: string;
  description?: string;
  servers: { url: string; description?: string }[];
  /** Path part of the first server URL ("/api/v1"), or "" when there is none. */
  basePath: string;
  groups: TagGroup[];
  securitySchemes: SecuritySchemeView[];
  schemas: { name: string; anchor: string; schema: SchemaNode }[];
};

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const MAX_DEPTH = 12;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

export function slug(value: string) {
  return (
    value
      .toLowerCase()
      .replace(/[{}]/g, "")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "x"
  );
}

/** Resolves a local JSON pointer reference such as `#/components/schemas/Tenant` (RFC 6901). */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer === "") return doc;
  if (!pointer.startsWith("/")) return undefined;
  let current: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObj(current)) current = current[key];
    else return undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

function refName(ref: string) {
  const last = ref.split("/").pop() ?? ref;
  return decodeURIComponent(last).replace(/~1/g, "/").replace(/~0/g, "~");
}

type Ctx = { doc: unknown; stack: string[]; roots: Obj[] };

/** Follows a $ref, also into `$defs` of an enclosing schema when the pointer does not resolve from the document root. */
function lookup(ref: string, ctx: Ctx): unknown {
  const fromDoc = resolvePointer(ctx.doc, ref);
  if (fromDoc !== undefined) return fromDoc;
  for (let i = ctx.roots.length - 1; i >= 0; i--) {
    const found = resolvePointer(ctx.roots[i], ref);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isNullSchema(s: unknown, ctx: Ctx): boolean {
  if (!isObj(s)) return false;
  if (typeof s.$ref === "string") return isNullSchema(lookup(s.$ref, ctx), ctx);
  return s.type === "null" || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null) || ("const" in s && s.const === null);
}

function emptyNode(type: string): SchemaNode {
  return { type, nullable: false, constraints: [], properties: [] };
}

function constraintsOf(s: Obj): string[] {
  const out: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    const lo = typeof min === "number" ? min : undefined;
    const hi = typeof max === "number" ? max : undefined;
    if (lo !== undefined && hi !== undefined) out.push(lo === hi ? `exactly ${lo} ${unit}` : `${lo}–${hi} ${unit}`);
    else if (lo !== undefined && lo > 0) out.push(`at least ${lo} ${unit}`);
    else if (hi !== undefined) out.push(`at most ${hi} ${unit}`);
  };
  range(s.minLength, s.maxLength, "characters");
  range(s.minItems, s.maxItems, "items");
  range(s.minProperties, s.maxProperties, "properties");
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const minimum = num(s.minimum),
    maximum = num(s.maximum),
    exMin = num(s.exclusiveMinimum),
    exMax = num(s.exclusiveMaximum);
  const lower = minimum !== undefined ? `≥ ${minimum}` : exMin !== undefined ? `> ${exMin}` : undefined;
  const upper = maximum !== undefined ? `≤ ${maximum}` : exMax !== undefined ? `< ${exMax}` : undefined;
  if (lower && upper) out.push(`${lower} and ${upper}`);
  else if (lower ?? upper) out.push((lower ?? upper)!);
  if (typeof s.multipleOf === "number") out.push(`multiple of ${s.multipleOf}`);
  if (s.uniqueItems === true) out.push("unique items");
  if (typeof s.pattern === "string") out.push(`pattern ${s.pattern}`);
  return out;
}

function mergeInto(target: SchemaNode, extra: SchemaNode) {
  const names = new Set(extra.properties.map((p) => p.name));
  target.properties = [...target.properties.filter((p) => !names.has(p.name)), ...extra.properties];
  if (target.type === "any" || target.type === "object") target.type = extra.type === "any" ? target.type : extra.type;
  target.description ??= extra.description;
  target.refName ??= extra.refName;
  target.format ??= extra.format;
  target.enumValues ??= extra.enumValues;
  target.items ??= extra.items;
  target.variants ??= extra.variants;
  target.additional ??= extra.additional;
  target.nullable ||= extra.nullable;
  target.constraints = [...new Set([...target.constraints, ...extra.constraints])];
}

/** Resolves one JSON Schema into a SchemaNode, following $ref, allOf, oneOf/anyOf and nullability. */
export function buildSchema(schema: unknown, doc: unknown, ctx: Ctx = { doc, stack: [], roots: [] }): SchemaNode {
  if (schema === true || schema === undefined) return emptyNode("any");
  if (schema === false) return { ...emptyNode("never"), description: "No value is allowed." };
  if (!isObj(schema)) return emptyNode("any");
  if (ctx.stack.length > MAX_DEPTH) return { ...emptyNode("object"), circular: true };

  const roots = isObj(schema.$defs) || isObj(schema.definitions) ? [...ctx.roots, schema] : ctx.roots;
  const inner: Ctx = { ...ctx, roots };

  if (typeof schema.$ref === "string") {
    const ref = schema.$ref;
    const name = refName(ref);
    const target = lookup(ref, inner);
    // JSON Schema 2020-12 allows keywords beside $ref; the annotations there describe this use of it.
    const local = { description: str(schema.description), nullable: schema.nullable === true };
    let node: SchemaNode;
    if (ctx.stack.includes(ref)) node = { ...emptyNode("object"), refName: name, circular: true };
    else if (target === undefined) node = { ...emptyNode("any"), refName: name, unresolved: ref };
    else {
      node = buildSchema(target, doc, { ...inner, stack: [...ctx.stack, ref] });
      node.refName ??= name;
    }
    if (local.description) node = { ...node, description: local.description };
    if (local.nullable) node = { ...node, nullable: true };
    const siblings = Object.keys(schema).filter((k) => !["$ref", "description", "nullable", "$defs", "definitions"].includes(k));
    if (siblings.length > 0) {
      const rest = buildSchema(Object.fromEntries(siblings.map((k) => [k, schema[k]])), doc, inner);
      node = { ...node, constraints: [...new Set([...node.constraints, ...rest.constraints])], nullable: node.nullable || rest.nullable };
    }
    return node;
  }

  const node = emptyNode("any");
  node.title = str(schema.title);
  node.description = str(schema.description);
  node.format = str(schema.format);
  node.constraints = constraintsOf(schema);
  if (schema.readOnly === true) node.readOnly = true;
  if (schema.writeOnly === true) node.writeOnly = true;
  if (schema.deprecated === true) node.deprecated = true;
  if (schema.nullable === true) node.nullable = true;
  if ("default" in schema) {
    node.hasDefault = true;
    node.defaultValue = schema.default;
  }

  // type: "string" | ["string", "null"]
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t): t is string => typeof t === "string");
  if (types.includes("null")) node.nullable = true;
  const nonNull = types.filter((t) => t !== "null");
  if (nonNull.length > 0) node.type = nonNull.join(" | ");
  else if (types.length > 0) node.type = "null";

  if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((v) => v !== null);
    if (values.length < schema.enum.length) node.nullable = true;
    node.enumValues = values;
    if (node.type === "any") node.type = primitiveType(values);
  }
  if ("const" in schema) {
    if (schema.const === null) node.nullable = true;
    else {
      node.enumValues = [schema.const];
      if (node.type === "any") node.type = primitiveType([schema.const]);
    }
  }

  if (isObj(schema.properties) || schema.additionalProperties !== undefined || node.type === "object") {
    const required = new Set(arr(schema.required).filter((r): r is string => typeof r === "string"));
    node.properties = Object.entries(obj(schema.properties)).map(([name, s]) => ({ name, required: required.has(name), schema: buildSchema(s, doc, inner) }));
    if (schema.additionalProperties === false) node.additional = false;
    else if (isObj(schema.additionalProperties)) node.additional = buildSchema(schema.additionalProperties, doc, inner);
    if (node.type === "any") node.type = "object";
  }

  if (schema.items !== undefined || node.type === "array") {
    node.items = schema.items === undefined ? emptyNode("any") : buildSchema(schema.items, doc, inner);
    if (node.type === "any") node.type = "array";
  }

  for (const kind of ["oneOf", "anyOf"] as const) {
    const members = arr(schema[kind]);
    if (members.length === 0) continue;
    const nullMember = members.some((m) => isNullSchema(m, inner));
    const options = members.filter((m) => !isNullSchema(m, inner)).map((m) => buildSchema(m, doc, inner));
    if (nullMember) node.nullable = true;
    if (options.length === 1) {
      // `X | null`, the usual shape of a nullable field in OpenAPI 3.1: show it as X, nullable.
      const only = options[0]!;
      mergeInto(node, { ...only, description: node.description ?? only.description });
      node.refName = only.refName;
      node.type = only.type;
      continue;
    }
    const literals = options.every((o) => o.enumValues && o.properties.length === 0 && !o.variants);
    if (literals && options.length > 0) {
      // A union of constants (a zod union of literals) reads better as one enum.
      node.enumValues = options.flatMap((o) => o.enumValues ?? []);
      const kinds = [...new Set(options.map((o) => o.type))];
      node.type = kinds.join(" | ");
      continue;
    }
    node.variants = { kind, options };
    if (node.type === "any") node.type = "union";
  }

  const allOf = arr(schema.allOf);
  if (allOf.length > 0) {
    const parts = allOf.map((m) => buildSchema(m, doc, inner));
    if (parts.length === 1 && node.type === "any" && node.properties.length === 0) {
      const only = parts[0]!;
      return {
        ...only,
        description: node.description ?? only.description,
        nullable: node.nullable || only.nullable,
        constraints: [...new Set([...only.constraints, ...node.constraints])],
      };
    }
    for (const part of parts) mergeInto(node, part);
    if (node.properties.length > 0 && node.type === "any") node.type = "object";
    node.refName = undefined;
    // allOf members are all required of the same value: their required lists add up.
    const requiredNames = new Set(parts.flatMap((p) => p.properties.filter((f) => f.required).map((f) => f.name)));
    node.properties = node.properties.map((f) => (requiredNames.has(f.name) ? { ...f, required: true } : f));
  }

  return node;
}

function primitiveType(values: unknown[]) {
  const kinds = [...new Set(values.map((v) => (typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : typeof v)))];
  return kinds.length === 0 ? "any" : kinds.join(" | ");
}

/** "array of Tenant", "string (date-time)", "Tenant", "object"… The words shown next to a field's name. */
export function typeLabel(node: SchemaNode): string {
  if (node.circular) return node.refName ?? "object";
  if (node.type === "array") {
    const items = node.items ? typeLabel(node.items) : "any";
    return `array of ${items}`;
  }
  if (node.variants) return node.refName ?? (node.variants.kind === "oneOf" ? "one of" : "any of");
  if (node.type === "object") {
    if (node.refName) return node.refName;
    if (node.properties.length === 0 && node.additional && typeof node.additional === "object") return `map of ${typeLabel(node.additional)}`;
    return "object";
  }
  const base = node.format ? `${node.type} (${node.format})` : node.type;
  return node.refName && node.enumValues ? `${node.refName}: ${base}` : base;
}

function parameterView(p: unknown, ctx: Ctx): ParameterView | null {
  const param = isObj(p) && typeof p.$ref === "string" ? lookup(p.$ref, ctx) : p;
  if (!isObj(param) || !str(param.name) || !str(param.in)) return null;
  const schema = isObj(param.schema)
    ? buildSchema(param.schema, ctx.doc)
    : buildSchema(Object.values(obj(param.content)).map((c) => obj(c).schema)[0], ctx.doc);
  return {
    name: param.name as string,
    in: param.in as string,
    required: param.required === true || param.in === "path",
    description: str(param.description) ?? schema.description,
    deprecated: param.deprecated === true || undefined,
    schema,
  };
}

function contents(content: unknown, ctx: Ctx): ContentView[] {
  return Object.entries(obj(content)).map(([mediaType, media]) => {
    const s = obj(media).schema;
    return { mediaType, schema: s === undefined ? undefined : buildSchema(s, ctx.doc) };
  });
}

function deref(value: unknown, ctx: Ctx): Obj {
  if (isObj(value) && typeof value.$ref === "string") return obj(lookup(value.$ref, ctx));
  return obj(value);
}

function roleLabel(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const v = value.trim();
  return v.charAt(0).toUpperCase() + v.slice(1).toLowerCase();
}

/**
 * The generator may also state the role in the description's last paragraph ("Minimum role: Operator.");
 * the page shows it as a badge, so that sentence would only repeat it.
 */
function withoutRoleSentence(description: string | undefined, shownAsBadge: boolean) {
  if (!description || !shownAsBadge) return description;
  const paragraphs = description.split(/\n\s*\n/);
  const last = paragraphs.at(-1)?.trim() ?? "";
  if (/^(Minimum role: \w+|Public: no authentication)\.?$/i.test(last)) paragraphs.pop();
  return paragraphs.join("\n\n") || undefined;
}

function joinPath(base: string, path: string) {
  if (!base || base === "/") return path;
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

function serverBasePath(url: string | undefined) {
  if (!url) return "";
  try {
    return new URL(url, "http://placeholder.invalid").pathname.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

export function buildApiReference(document: unknown): ApiReference {
  const doc = obj(document);
  const ctx: Ctx = { doc, stack: [], roots: [] };
  const info = obj(doc.info);
  const servers = arr(doc.servers)
    .filter(isObj)
    .filter((s) => str(s.url))
    .map((s) => ({ url: s.url as string, description: str(s.description) }));
  const basePath = serverBasePath(servers[0]?.url);

  const tagOrder = arr(doc.tags)
    .filter(isObj)
    .filter((t) => str(t.name));
  const groups = new Map<string, TagGroup>();
  const usedAnchors = new Set<string>();
  const uniqueAnchor = (base: string) => {
    let anchor = base;
    for (let i = 2; usedAnchors.has(anchor); i++) anchor = `${base}-${i}`;
    usedAnchors.add(anchor);
    return anchor;
  };
  for (const t of tagOrder)
    groups.set(t.name as string, {
      name: t.name as string,
      anchor: uniqueAnchor(`tag-${slug(t.name as string)}`),
      description: str(t.description),
      operations: [],
    });

  for (const [path, rawItem] of Object.entries(obj(doc.paths))) {
    const item = deref(rawItem, ctx);
    const shared = arr(item.parameters);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const tag = str(arr(op.tags)[0]) ?? "Other";
      if (!groups.has(tag)) groups.set(tag, { name: tag, anchor: uniqueAnchor(`tag-${slug(tag)}`), operations: [] });

      // Operation parameters override path-level ones with the same name and location.
      const own = arr(op.parameters)
        .map((p) => parameterView(p, ctx))
        .filter((p): p is ParameterView => p !== null);
      const inherited = shared
        .map((p) => parameterView(p, ctx))
        .filter((p): p is ParameterView => p !== null)
        .filter((p) => !own.some((o) => o.name === p.name && o.in === p.in));
      const order: Record<string, number> = { path: 0, query: 1, header: 2, cookie: 3 };
      const parameters = [...inherited, ...own].sort((a, b) => (order[a.in] ?? 9) - (order[b.in] ?? 9));

      const body = op.requestBody === undefined ? undefined : deref(op.requestBody, ctx);
      const responses = Object.entries(obj(op.responses))
        .map(([status, r]): ResponseView => {
          const response = deref(r, ctx);
          return {
            status,
            description: str(response.description),
            contents: contents(response.content, ctx),
            headers: Object.entries(obj(response.headers)).map(([name, h]) => {
              const header = deref(h, ctx);
              return { name, description: str(header.description), schema: header.schema === undefined ? undefined : buildSchema(header.schema, doc) };
            }),
          };
        })
        .sort((a, b) => a.status.localeCompare(b.status));

      const operationId = str(op.operationId);
      const requiredRole = roleLabel(op["x-required-role"] ?? op["x-minimum-role"]);
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      groups.get(tag)!.operations.push({
        anchor: uniqueAnchor(`op-${slug(operationId ?? `${method}-${path}`)}`),
        method: method.toUpperCase(),
        path,
        fullPath: joinPath(basePath, path),
        operationId,
        summary: str(op.summary),
        description: withoutRoleSentence(str(op.description), Boolean(requiredRole) || isPublic),
        tag,
        requiredRole,
        isPublic,
        deprecated: op.deprecated === true,
        parameters,
        requestBody: body ? { required: body.required === true, description: str(body.description), contents: contents(body.content, ctx) } : undefined,
        responses,
      });
    }
  }

  const components = obj(doc.components);
  return {
    openapi: str(doc.openapi),
    title: str(info.title) ?? "API",
    version: str(info.version),
    description: str(info.description),
    servers,
    basePath,
    groups: [...groups.values()].filter((g) => g.operations.length > 0),
    securitySchemes: Object.entries(obj(components.securitySchemes)).map(([name, s]) => {
      const scheme = deref(s, ctx);
      return {
        name,
        type: str(scheme.type) ?? "unknown",
        scheme: str(scheme.scheme),
        bearerFormat: str(scheme.bearerFormat),
        description: str(scheme.description),
      };
    }),
    schemas: Object.entries(obj(components.schemas)).map(([name, s]) => ({
      name,
      anchor: uniqueAnchor(`schema-${slug(name)}`),
      schema: buildSchema(s, doc, { doc, stack: [`#/components/schemas/${name}`], roots: [] }),
    })),
  };
}
