"use client";

import { useEffect, useId, useRef, useState } from "react";
import { cn } from "./cn";

/**
 * A disclosure menu: a button that opens a panel of actions. Escape and a click outside close it and
 * return focus to the button; arrow keys move between items.
 * @see https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/
 */
export function Menu({
  label,
  trigger,
  children,
  align = "right",
  triggerClassName,
}: {
  label: string;
  trigger: React.ReactNode;
  children: (close: () => void) => React.ReactNode;
  align?: "left" | "right";
  triggerClassName?: string;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const menuId = useId();
  // The open menu's button is the element that controls it (no id of its own: a table has one per row).
  const close = () => {
    document.querySelector<HTMLElement>(`[aria-controls="${CSS.escape(menuId)}"]`)?.focus();
    setOpen(false);
  };
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    root.current?.querySelector<HTMLElement>("[role=menuitem],[role=menuitemcheckbox]")?.focus();
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const items = [...(root.current?.querySelectorAll<HTMLElement>("[role=menuitem],[role=menuitemcheckbox]") ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    items[(i + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length]?.focus();
  };
  return (
    <div ref={root} className="menu" onKeyDown={onKeyDown}>
      <button
        type="button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
        className={triggerClassName}
      >
        {trigger}
      </button>
      {open && (
        <div
          id={menuId}
          role="menu"
          aria-label={label}
          className={cn("absolute z-40 mt-1 min-w-52 rounded-lg border border-slate-200 bg-white py-1 shadow-lg", align === "right" ? "right-0" : "left-0")}
        >
          {children(close)}
        </div>
      )}
    </div>
  );
}

export function MenuItem({
  onSelect,
  children,
  danger,
  disabled,
  href,
}: {
  onSelect?: () => void;
  children: React.ReactNode;
  danger?: boolean;
  disabled?: boolean;
  href?: string;
}) {
  const className = cn(
    "flex w-full items-center px-3 py-2 text-left text-sm outline-none focus:bg-slate-100 hover:bg-slate-50 disabled:cursor-not-allowed disabled:text-slate-400",
    danger ? "text-red-700" : "text-slate-800",
  );
  if (href) {
    return (
      <a role="menuitem" href={href} className={className} onClick={onSelect}>
        {children}
      </a>
    );
  }
  return (
    <button type="button" role="menuitem" disabled={disabled} className={className} onClick={onSelect}>
      {children}
    </button>
  );
}

export function MenuCheckbox({ checked, onChange, children }: { checked: boolean; onChange: (checked: boolean) => void; children: React.ReactNode }) {
  return (
    <button
      type="button"
      role="menuitemcheckbox"
      aria-checked={checked}
      onClick={() => onChange(!checked)}
      className="flex w-full items-center gap-2 px-3 py-2 text-left text-sm text-slate-800 outline-none hover:bg-slate-50 focus:bg-slate-100"
    >
      <span
        aria-hidden
        className={cn(
          "flex h-4 w-4 items-center justify-center rounded border text-[10px]",
          checked ? "border-blue-600 bg-blue-600 text-white" : "border-slate-400",
        )}
      >
        {checked ? "✓" : ""}
      </span>
      {children}
    </button>
  );
}

export function MenuSeparator() {
  return <div role="separator" className="my-1 border-t border-slate-100" />;
}
