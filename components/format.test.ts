import { describe, expect, it } from "vitest";
import { formatDuration } from "./format";

describe("formatDuration", () => {
  it.each([
    [null, "—"],
    [0, "0 s"],
    [44.6, "45 s"],
    [60, "1 min"],
    [12 * 60 + 59, "12 min"],
    [3600, "1 h"],
    [2 * 3600 + 14 * 60 + 30, "2 h 14 min"],
    [86_400, "1 d"],
    [3 * 86_400 + 4 * 3600 + 59 * 60, "3 d 4 h"],
  ])("%s seconds read as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
