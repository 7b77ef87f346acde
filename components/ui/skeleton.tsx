import { cn } from "./cn";

/** A placeholder with the size of the content it stands for, so nothing moves when the content arrives. */
export function Skeleton({ className }: { className?: string }) {
  return <span aria-hidden className={cn("skel", className)} />;
}
