import { z } from "zod";

export const pageParamsSchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  pageSize: z.coerce.number().int().min(1).max(200).catch(50),
});

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

export function pageCount(total: number, pageSize: number) {
  return Math.max(1, Math.ceil(total / pageSize));
}
