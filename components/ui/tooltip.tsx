"use client";

import { cloneElement, useId, useState, type ReactElement } from "react";
import { cn } from "./cn";

/**
 * Shows a description on hover and keyboard focus, linked to its trigger with aria-describedby so screen
 * readers announce it too. Escape hides it (WCAG 1.4.13). The description is rendered only while shown:
 * a table has one per row, and hidden copies of every row's text made the page several times heavier.
 * Keyboard focus opens it, so whoever tabs to the trigger gets the description.
 * @see https://www.w3.org/WAI/ARIA/apg/patterns/tooltip/
 */
export function Tooltip({
  content,
  children,
  side = "bottom",
  className,
}: {
  content: React.ReactNode;
  children: ReactElement<{ "aria-describedby"?: string }>;
  side?: "top" | "bottom";
  className?: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
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
      {open && (
        <span role="tooltip" id={id} className={cn("tip", side === "bottom" ? "top-full mt-1.5" : "bottom-full mb-1.5", className)}>
          {content}
        </span>
      )}
    </span>
  );
}
