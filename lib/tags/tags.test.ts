import { describe, expect, it } from "vitest";
import { tagColorOf, tagColors, tagPalette } from "./palette";
import { foldTagName, normalizeTagName, tagNameSchema } from "./validation";

describe("the tag palette", () => {
  it("gives each colour a label, a chip of its own hue (dark text on its light tint) and a swatch", () => {
    for (const c of tagColors) {
      const { label, chip, swatch } = tagPalette[c];
      expect(label).not.toBe("");
      expect(chip).toMatch(new RegExp(`^bg-${c}-100 text-${c}-(800|900) ring-${c}-300$`));
      expect(swatch).toMatch(new RegExp(`^bg-${c}-\\d00$`));
    }
    expect(new Set(tagColors.map((c) => tagPalette[c].label)).size).toBe(tagColors.length);
  });

  it("shows a colour it does not know as grey", () => {
    expect(tagColorOf("teal")).toBe("teal");
    expect(tagColorOf("chartreuse")).toBe("slate");
  });
});

describe("tag names", () => {
  it("are trimmed with inner whitespace made one space, and compared with case ignored", () => {
    expect(normalizeTagName("  Gold \t  customers ")).toBe("Gold customers");
    expect(foldTagName(" GOLD  Customers")).toBe(foldTagName("gold customers"));
    expect(foldTagName("Ärzte")).toBe(foldTagName("ärzte"));
    expect(tagNameSchema.parse("  EU ")).toBe("EU");
  });

  it("refuse empty, long, semicolon and control-character names with messages for people", () => {
    const message = (v: unknown) => tagNameSchema.safeParse(v).error?.issues[0]?.message;
    expect(message("  ")).toBe("Enter a name for the tag.");
    expect(message(undefined)).toBe("Enter a name for the tag.");
    expect(message("x".repeat(41))).toBe("At most 40 characters.");
    expect(tagNameSchema.safeParse("x".repeat(40)).success).toBe(true);
    expect(message("Gold;Silver")).toBe("A tag name cannot contain a semicolon.");
    expect(message("Gold\u0007")).toBe("Use letters, digits, spaces and punctuation only.");
  });
});
