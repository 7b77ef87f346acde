/** What every server action returns: never an echoed secret, field errors keyed by input name. */
export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string[] | undefined> };

/** What a form action answers; `values` gives the form back what was typed, for the fields it names. */
export type FormOutcome<T> = ActionResult<T> & { values?: Record<string, string> };

/** A form's state: its last outcome, null before the first submit. */
export type FormResult<T> = FormOutcome<T> | null;
