import { cn } from "@/components/ui/cn";
import type { TagItem } from "@/lib/data/tags";
import { tagPalette } from "@/lib/tags/palette";

/** One tag as a coloured chip; the name is the whole label, cut with an ellipsis when long (title shows it). */
export function TagChip({ tag, className }: { tag: Pick<TagItem, "name" | "color">; className?: string }) {
  return (
    <span className={cn("tag", tagPalette[tag.color].chip, className)} title={tag.name}>
      {tag.name}
    </span>
  );
}

/**
 * A tenant's tags under its name: the first `max`, then "+N" naming the rest (in its title and to screen
 * readers), so a tenant with many tags keeps a short row: one line of chips, two when names are long.
 */
export function TagChips({ tags, max = 3, label }: { tags: TagItem[]; max?: number; label?: string }) {
  if (tags.length === 0) return null;
  const shown = tags.length > max + 1 ? tags.slice(0, max) : tags;
  const rest = tags.slice(shown.length);
  return (
    <ul className="tag-list" aria-label={label ?? "Tags"}>
      {shown.map((t) => (
        <li key={t.id} className="min-w-0">
          <TagChip tag={t} />
        </li>
      ))}
      {rest.length > 0 && (
        <li>
          <span className="tag bg-white text-slate-700 ring-slate-300" title={rest.map((t) => t.name).join(", ")}>
            +{rest.length}
            <span className="sr-only"> more: {rest.map((t) => t.name).join(", ")}</span>
          </span>
        </li>
      )}
    </ul>
  );
}
