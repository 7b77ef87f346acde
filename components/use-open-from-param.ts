"use client";

import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";

/**
 * An editor a link opens through a query parameter (`?password=edit`, `?credentials=edit`: the tenant
 * page's Fix buttons). It opens when the parameter appears, also on a client navigation to the same page
 * (the component stays mounted, so its initial state alone would miss it), and closing it drops the
 * parameter, so the same link opens it again.
 */
export function useOpenFromParam(name: string, requested: boolean): [boolean, (open: boolean) => void] {
  const router = useRouter();
  const [open, setOpenState] = useState(requested);
  const [seen, setSeen] = useState(requested);
  if (requested !== seen) {
    setSeen(requested);
    if (requested) setOpenState(true);
  }
  const setOpen = useCallback(
    (next: boolean) => {
      setOpenState(next);
      if (next || typeof window === "undefined") return;
      const url = new URL(window.location.href);
      if (!url.searchParams.has(name)) return;
      url.searchParams.delete(name);
      router.replace(`${url.pathname}${url.search}${url.hash}`, { scroll: false });
    },
    [name, router],
  );
  return [open, setOpen];
}
