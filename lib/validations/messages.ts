import { z } from "zod";

/**
 * Messages for people where a schema gives none of its own: zod's defaults ("Too big: expected string to
 * have <=200 characters", "Invalid input", "Required") would otherwise reach the screen and REST problem
 * details. A schema's own message always wins (zod's order: schema, then this, then its locale). Loaded by
 * lib/commands/command.ts and lib/api/handler.ts, so every command, server action and REST request has it.
 */

const plural = (n: number | bigint, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 || n === BigInt(1) ? one : many}`;

type Issue = z.core.$ZodRawIssue;

export function humanMessage(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined || issue.input === null || issue.input === "") return "Fill in this field.";
      if (issue.expected === "number" || issue.expected === "int") return "Enter a number.";
      if (issue.expected === "boolean") return "Choose yes or no.";
      if (issue.expected === "array") return "Choose one or more values.";
      if (issue.expected === "date") return "Enter a date.";
      return "This value has the wrong form; enter it again.";
    case "too_big": {
      const max = issue.maximum as number | bigint;
      if (issue.origin === "string") return `At most ${plural(max, "character", "characters")}.`;
      if (issue.origin === "array" || issue.origin === "set") return `At most ${plural(max, "item", "items")}.`;
      if (issue.origin === "file") return `The file is too large: at most ${plural(max, "byte", "bytes")}.`;
      if (issue.origin === "date") return "This date is too late.";
      return `At most ${max.toLocaleString("en-US")}.`;
    }
    case "too_small": {
      const min = issue.minimum as number | bigint;
      if (issue.origin === "string") return Number(min) <= 1 ? "Fill in this field." : `At least ${plural(min, "character", "characters")}.`;
      if (issue.origin === "array" || issue.origin === "set")
        return Number(min) <= 1 ? "Choose at least one." : `Choose at least ${min.toLocaleString("en-US")}.`;
      if (issue.origin === "date") return "This date is too early.";
      return `At least ${min.toLocaleString("en-US")}.`;
    }
    case "invalid_format":
      if (issue.format === "email") return "Enter an email address such as name@example.com.";
      if (issue.format === "url") return "Enter a full URL such as https://example.com/.";
      if (issue.format === "uuid" || issue.format === "guid") return "Enter an ID such as 02990467-5131-4a63-9a88-b578f38d89ab.";
      if (issue.format === "datetime" || issue.format === "date") return "Enter a date such as 2026-12-31.";
      return "This value has characters or a form that is not allowed here.";
    case "invalid_value":
      return issue.values.length <= 8 ? `Choose one of: ${issue.values.map(String).join(", ")}.` : "Choose one of the offered values.";
    case "not_multiple_of":
      return `Enter a multiple of ${String(issue.divisor)}.`;
    case "unrecognized_keys":
      return `Not a field here: ${issue.keys.join(", ")}.`;
    case "invalid_union":
    case "invalid_key":
    case "invalid_element":
    case "custom":
    default:
      return "This value is not accepted here; check it and try again.";
  }
}

z.config({ customError: (issue) => humanMessage(issue as Issue) });
