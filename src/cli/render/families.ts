/**
 * Collapsing a long list of sonames into families for people: forty-nine `libopencv_*.so.406`
 * that need the same action are one row, `libopencv_*.so.406 ×49`.
 */
export interface LibraryRow {
  soname: string;
  files: string[];
  /** What to do, as rendered; only sonames with the same action form a family. */
  action: string;
}

export interface Row {
  label: string;
  action: string;
  files: string[];
}

/** Fewer members than this stay separate rows. */
const FAMILY_MIN = 3;

/** `libopencv_core.so.406` → `libopencv_*.so.406`; null for a name that is no family member. */
export function familyOf(soname: string): string | null {
  const m = /^(lib[A-Za-z0-9]+)([_-])[^.]+(\.so(?:\.[0-9.]+)?)$/.exec(soname);
  return m ? `${m[1]}${m[2]}*${m[3]}` : null;
}

/** Rows in the order given, each family at its first member's place; `verbose` collapses nothing. */
export function familyRows(items: readonly LibraryRow[], verbose: boolean): Row[] {
  const members = new Map<string, LibraryRow[]>();
  const keyOf = (it: LibraryRow): string | null => {
    const f = familyOf(it.soname);
    return f === null ? null : `${f}\u0000${it.action}`;
  };
  for (const it of items) {
    const k = keyOf(it);
    if (k !== null) members.set(k, [...(members.get(k) ?? []), it]);
  }
  const rows: Row[] = [];
  const done = new Set<string>();
  for (const it of items) {
    const k = keyOf(it);
    const group = k === null ? undefined : members.get(k);
    if (verbose || k === null || group === undefined || group.length < FAMILY_MIN) {
      rows.push({ label: it.soname, action: it.action, files: it.files });
      continue;
    }
    if (done.has(k)) continue;
    done.add(k);
    const files = [...new Set(group.flatMap((g) => g.files))].sort();
    rows.push({ label: `${familyOf(it.soname)!} ×${group.length}`, action: it.action, files });
  }
  return rows;
}
