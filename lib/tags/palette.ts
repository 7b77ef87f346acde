/**
 * The tags' colours: a small fixed palette, stored by name on `Tag.color`. Each chip is dark text on a
 * light tint of the same hue (the 800 shade on the 100 tint is above 7:1, WCAG AAA for small text), with a
 * ring one step darker than the tint so that a chip stays visible on white and on a selected row's blue.
 * Class names are written out whole so that Tailwind finds them.
 */
export const tagColors = ["slate", "red", "orange", "amber", "green", "teal", "sky", "blue", "violet", "pink"] as const;

export type TagColor = (typeof tagColors)[number];

export const DEFAULT_TAG_COLOR: TagColor = "slate";

export const tagPalette: Record<TagColor, { label: string; chip: string; swatch: string }> = {
  slate: { label: "Grey", chip: "bg-slate-100 text-slate-800 ring-slate-300", swatch: "bg-slate-500" },
  red: { label: "Red", chip: "bg-red-100 text-red-800 ring-red-300", swatch: "bg-red-600" },
  orange: { label: "Orange", chip: "bg-orange-100 text-orange-800 ring-orange-300", swatch: "bg-orange-500" },
  amber: { label: "Yellow", chip: "bg-amber-100 text-amber-900 ring-amber-300", swatch: "bg-amber-400" },
  green: { label: "Green", chip: "bg-green-100 text-green-800 ring-green-300", swatch: "bg-green-600" },
  teal: { label: "Teal", chip: "bg-teal-100 text-teal-800 ring-teal-300", swatch: "bg-teal-600" },
  sky: { label: "Light blue", chip: "bg-sky-100 text-sky-800 ring-sky-300", swatch: "bg-sky-500" },
  blue: { label: "Blue", chip: "bg-blue-100 text-blue-800 ring-blue-300", swatch: "bg-blue-600" },
  violet: { label: "Violet", chip: "bg-violet-100 text-violet-800 ring-violet-300", swatch: "bg-violet-600" },
  pink: { label: "Pink", chip: "bg-pink-100 text-pink-800 ring-pink-300", swatch: "bg-pink-600" },
};

/** A stored colour that the palette no longer has (or never had) shows as grey. */
export function tagColorOf(color: string): TagColor {
  return (tagColors as readonly string[]).includes(color) ? (color as TagColor) : DEFAULT_TAG_COLOR;
}
