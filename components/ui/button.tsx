import { forwardRef, type ButtonHTMLAttributes } from "react";
import { cn } from "./cn";

/** Variants and sizes are component classes in app/globals.css (`btn-…`): a table repeats its buttons per row. */
const variants = { primary: "btn-primary", secondary: "btn-secondary", danger: "btn-danger", ghost: "btn-ghost" } as const;

const sizes = { sm: "btn-sm", md: "btn-md", icon: "btn-icon" } as const;

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: keyof typeof variants;
  size?: keyof typeof sizes;
  pending?: boolean;
};

export const buttonClass = (variant: keyof typeof variants = "secondary", size: keyof typeof sizes = "md") => `btn ${variants[variant]} ${sizes[size]}`;

/**
 * A pending button stays focusable (aria-disabled, clicks ignored) instead of `disabled`: a disabled button
 * drops keyboard focus to the page body, and a keyboard user would have to find their place again.
 */
export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = "secondary", size = "md", pending = false, className, children, disabled, type = "button", onClick, ...props },
  ref,
) {
  const busy = pending && !disabled;
  return (
    <button
      ref={ref}
      type={type}
      className={cn(buttonClass(variant, size), className)}
      disabled={disabled}
      aria-disabled={busy || undefined}
      aria-busy={pending || undefined}
      onClick={(e) => {
        // Also stops a form's implicit submission (Enter in a field clicks its submit button).
        if (busy) return e.preventDefault();
        onClick?.(e);
      }}
      {...props}
    >
      {pending && <Spinner />}
      {children}
    </button>
  );
});

export function Spinner({ className }: { className?: string }) {
  return <span aria-hidden className={cn("inline-block h-3.5 w-3.5 animate-spin rounded-full border-2 border-current border-r-transparent", className)} />;
}
