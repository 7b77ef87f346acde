"use client";

import type { Table } from "@tanstack/react-table";
import { buttonClass } from "@/components/ui/button";
import { Menu, MenuCheckbox } from "@/components/ui/menu";
import type { ColumnMeta } from "./data-table";

/** Column visibility: every hideable column as a checkbox item. */
export function DataTableViewOptions<TData>({ table }: { table: Table<TData> }) {
  const columns = table.getAllLeafColumns().filter((c) => c.getCanHide());
  return (
    <Menu
      label="Columns"
      trigger={
        <>
          Columns <span aria-hidden>▾</span>
        </>
      }
      triggerClassName={buttonClass("secondary", "md")}
    >
      {() =>
        columns.map((c) => (
          <MenuCheckbox key={c.id} checked={c.getIsVisible()} onChange={(v) => c.toggleVisibility(v)}>
            {(c.columnDef.meta as ColumnMeta | undefined)?.label ?? c.id}
          </MenuCheckbox>
        ))
      }
    </Menu>
  );
}
