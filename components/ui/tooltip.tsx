"use client";

import { cloneElement, useId, useState, type ReactElement } from "react";
import { cn } from "./cn";

/**
 * Shows a description on hover and keyboard focus, linked to its trigger with aria-describedby so screen
 * readers announce it too. Escape hides it (WCAG 1.4.13). The description is rendered only while shown:
 * a table has one per row, and hidden copies of every row's text made the page several times heavier.
 * Keyboard focus opens it, so whoever tabs to the trigger gets the description. `bare` puts the handlers on
 * the trigger itself and the bubble beside it (no wrapping element: a table cell, `position: relative` in
 * the `dt` classes, places it), for triggers repeated on every row.
 * @see https://www.w3.org/WAI/ARIA/apg/patterns/tooltip/
 */
type TriggerProps = {
  "aria-describedby"?: string;
  onMouseEnter?: () => void;
  onMouseLeave?: () => void;
  onFocus?: () => void;
  onBlur?: () => void;
  onKeyDown?: (e: React.KeyboardEvent) => void;
};

export function Tooltip({
  content,
  children,
  side = "bottom",
  className,
  bare = false,
}: {
  content: React.ReactNode;
  children: ReactElement<TriggerProps>;
  side?: "top" | "bottom";
  className?: string;
  bare?: boolean;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const bubble = open && (
    <span role="tooltip" id={id} className={cn("tip", side === "bottom" ? "top-full mt-1.5" : "bottom-full mb-1.5", className)}>
      {content}
    </span>
  );
  if (bare)
    return (
      <>
        {cloneElement(children, {
          "aria-describedby": open ? id : undefined,
          onMouseEnter: () => setOpen(true),
          onMouseLeave: () => setOpen(false),
          onFocus: () => setOpen(true),
          onBlur: () => setOpen(false),
          onKeyDown: (e: React.KeyboardEvent) => e.key === "Escape" && setOpen(false),
        })}
        {bubble}
      </>
    );
  return (
    <span
      className="tip-anchor"
      onMouseEnter={() => setOpen(true)}
      onMouseLeave={() => setOpen(false)}
      onFocus={() => setOpen(true)}
      onBlur={() => setOpen(false)}
      onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
    >
      {cloneElement(children, { "aria-describedby": open ? id : undefined })}
      {bubble}
    </span>
  );
}
