"use client";

import { useEffect, useEffectEvent, useRef, type ComponentProps } from "react";

type SelectProps<V extends string> = Omit<ComponentProps<"select">, "value" | "defaultValue" | "onChange"> & {
  value: V;
  onChange: (value: V) => void;
};

/**
 * A controlled `<select>` that keeps a choice made before the page was interactive.
 *
 * React hydrates a controlled select without touching what is selected, but sets it back to `value` at
 * the select's next render: a cloud chosen on the server-rendered form while the scripts were still
 * loading would silently turn back into the first one after, say, a refused Apply, and the next Apply
 * would save the wrong one. On mount, a selection that differs from `value` is handed to `onChange`, as
 * if the admin had made it now.
 */
export function Select<V extends string>({ value, onChange, ...props }: SelectProps<V>) {
  const ref = useRef<HTMLSelectElement>(null);
  const adoptEarlyChoice = useEffectEvent(() => {
    const chosen = ref.current?.value;
    if (chosen !== undefined && chosen !== value) onChange(chosen as V);
  });
  useEffect(() => adoptEarlyChoice(), []);
  return <select {...props} ref={ref} value={value} onChange={(e) => onChange(e.target.value as V)} />;
}
