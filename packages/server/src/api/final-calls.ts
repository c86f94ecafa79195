import type { CallView } from "@clawcall/contract";
import { isSettledRow, rowView } from "../calls/call-view.ts";
import type { CallTable } from "../store/schema.ts";

const MAX_CALLS = 5_000;

interface Settled {
  row: CallTable;
  view: CallView;
}

/**
 * Rows of calls that can no longer change, and the part of their view that comes from the row, by call
 * id: polling a finished call reads neither the calls table nor the row's JSON columns again. Only rows
 * `isSettledRow` accepts are kept (a Telnyx recording link may still arrive for an answered call), so a
 * kept row is what every node would read. Bounded: the least recently polled go first.
 */
export class FinalCalls {
  private readonly byId = new Map<string, Settled>();

  constructor(private readonly recordingMayFollow: boolean) {}

  row(id: string): CallTable | undefined {
    const settled = this.byId.get(id);
    if (!settled) return undefined;
    this.byId.delete(id);
    this.byId.set(id, settled);
    return settled.row;
  }

  /** Keeps the row if it can no longer change. */
  note(row: CallTable): void {
    if (this.byId.has(row.id) || !isSettledRow(row, this.recordingMayFollow)) return;
    if (this.byId.size >= MAX_CALLS) {
      const oldest = this.byId.keys().next();
      if (!oldest.done) this.byId.delete(oldest.value);
    }
    this.byId.set(row.id, { row, view: rowView(row) });
  }

  /** The row's own part of the view: kept for a settled row, built for any other. */
  view(row: CallTable): CallView {
    const settled = this.byId.get(row.id);
    return settled?.row === row ? settled.view : rowView(row);
  }
}
