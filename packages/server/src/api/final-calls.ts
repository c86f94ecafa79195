import type { CallView, Standing, TranscriptEntry } from "@clawcall/contract";
import { completeView, isSettledRow, recordingLink, rowView } from "../calls/call-view.ts";
import type { CallTable } from "../store/schema.ts";

const MAX_CALLS = 5_000;

/** What a settled call's body takes from the request it answers. */
export interface RequestFields {
  transcript: TranscriptEntry[] | null;
  balanceSeconds: number;
  standing: Standing;
  apiKey: string;
  now: Date;
}

interface Settled {
  row: CallTable;
  view: CallView;
  /** The body's JSON cut where the request's fields go, or null when the row's text defeats the cut. */
  body: BodyTemplate | null;
}

/**
 * Rows of calls that can no longer change, the part of their view that comes from the row, and their
 * body's JSON text around the request's fields, by call id: polling a finished call reads neither the
 * calls table nor the row's JSON columns again, and serialises only what is the request's. Only rows
 * `isSettledRow` accepts are kept (a Telnyx recording link may still arrive for an answered call), so a
 * kept row is what every node would read. The recording link is not in the text: it expires while the
 * row stays the same. Bounded: the least recently polled go first.
 */
export class FinalCalls {
  private readonly byId = new Map<string, Settled>();
  /** The id last in the Map's order, if known. */
  private newest: string | undefined;

  constructor(private readonly recordingMayFollow: boolean) {}

  row(id: string): CallTable | undefined {
    const settled = this.byId.get(id);
    if (!settled) return undefined;
    // Moved to the end of the Map's order unless already there (a poller asks for the same call again).
    if (this.newest !== id) {
      this.byId.delete(id);
      this.byId.set(id, settled);
      this.newest = id;
    }
    return settled.row;
  }

  /** Keeps the row if it can no longer change. */
  note(row: CallTable): void {
    if (this.byId.has(row.id) || !isSettledRow(row, this.recordingMayFollow)) return;
    if (this.byId.size >= MAX_CALLS) {
      const oldest = this.byId.keys().next();
      if (!oldest.done) this.byId.delete(oldest.value);
    }
    const view = rowView(row);
    this.newest = row.id;
    this.byId.set(row.id, { row, view, body: bodyTemplate(view, row, this.recordingMayFollow) });
  }

  /** The row's own part of the view: kept for a settled row, built for any other. */
  view(row: CallTable): CallView {
    const settled = this.byId.get(row.id);
    return settled?.row === row ? settled.view : rowView(row);
  }

  /** The JSON body of a kept row for this request, or null when the row is not kept. */
  body(row: CallTable, fields: RequestFields): string | null {
    const settled = this.byId.get(row.id);
    if (settled?.row !== row || !settled.body) return null;
    const recording = recordingLink(row, fields.now);
    return settled.body.render({
      transcript: fields.transcript,
      recordingUrl: recording,
      recording_url: recording,
      balance_seconds: fields.balanceSeconds,
      unlimited: fields.standing.unlimited,
      plan: fields.standing.plan,
      trial: fields.standing.trial,
      api_key: fields.apiKey,
    });
  }
}

type Slot =
  | "transcript"
  | "recordingUrl"
  | "recording_url"
  | "balance_seconds"
  | "unlimited"
  | "plan"
  | "trial"
  | "api_key";
const SLOTS: readonly Slot[] = [
  "transcript",
  "recordingUrl",
  "recording_url",
  "balance_seconds",
  "unlimited",
  "plan",
  "trial",
  "api_key",
];
const MARK = "\u0000clawcall-slot:";
const slot = (name: Slot) => `${MARK}${name}` as never;
const SLOT_PATTERN = /"\\u0000clawcall-slot:(\w+)"/;

const PLACEHOLDER_EXTRAS = {
  transcript: slot("transcript"),
  balanceSeconds: slot("balance_seconds"),
  standing: { unlimited: slot("unlimited"), plan: slot("plan"), trial: slot("trial") },
  apiKey: slot("api_key"),
  recordingMayFollow: false,
  now: new Date(0),
};

interface BodyTemplate {
  render(values: Record<Slot, unknown>): string;
}

/**
 * The view's JSON with a mark where each request field goes, cut at the marks. The text is built by
 * `completeView` itself, so it cannot drift from the object path; a row whose own text carries a mark
 * (a task that spells one out) gets no template and is served the ordinary way.
 */
function bodyTemplate(view: CallView, row: CallTable, recordingMayFollow: boolean): BodyTemplate | null {
  const marked = completeView(view, row, { ...PLACEHOLDER_EXTRAS, recordingMayFollow });
  marked.recordingUrl = slot("recordingUrl");
  marked.recording_url = slot("recording_url");
  const parts = JSON.stringify(marked).split(SLOT_PATTERN);
  const names = parts.filter((_, i) => i % 2 === 1);
  if (names.length !== SLOTS.length || !SLOTS.every((s) => names.filter((n) => n === s).length === 1)) {
    return null;
  }
  return {
    render(values) {
      let out = parts[0]!;
      for (let i = 1; i < parts.length; i += 2) {
        out += JSON.stringify(values[parts[i] as Slot]) + parts[i + 1]!;
      }
      return out;
    },
  };
}
