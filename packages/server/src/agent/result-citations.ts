import type { CallResult, CallResultFact, TranscriptEntry } from "@clawcall/contract";

/** Words too common to show that a line says a fact. */
const COMMON = new Set(
  (
    "about after again also been before being call called calling could does done from have into just " +
    "like more need needs only other over said says some than that their them then there they this " +
    "those very want wants were what when which while will with would your yours"
  ).split(" "),
);

/** A word's stem, near enough: "confirmed" and "confirm" both give "confir". */
const stem = (word: string) => word.slice(0, 6);

function keyWords(text: string): { numbers: string[]; words: string[] } {
  const lower = text.toLowerCase();
  const numbers = lower.match(/\d+/g) ?? [];
  const words = (lower.match(/\p{L}{4,}/gu) ?? []).filter((w) => !COMMON.has(w)).map(stem);
  return { numbers: [...new Set(numbers)], words: [...new Set(words)] };
}

/**
 * Whether the cited lines plausibly say the fact: every number of the fact is in them, and at least half
 * of its key words (by stem). A fact citing no line, or a line the call does not have, does not hold.
 */
export function citationHolds(fact: CallResultFact, transcript: readonly TranscriptEntry[]): boolean {
  if (fact.turns.length === 0) return false;
  if (fact.turns.some((i) => !Number.isInteger(i) || i < 0 || i >= transcript.length)) return false;
  const cited = keyWords(fact.turns.map((i) => transcript[i]!.text).join(" "));
  const said = { numbers: new Set(cited.numbers), words: new Set(cited.words) };
  const { numbers, words } = keyWords(fact.text);
  if (numbers.some((n) => !said.numbers.has(n))) return false;
  const found = words.filter((w) => said.words.has(w)).length;
  return words.length === 0 ? numbers.length > 0 : found >= Math.ceil(words.length / 2);
}

/** The result with only the facts its transcript bears out. */
export function keepCitedFacts(result: CallResult, transcript: readonly TranscriptEntry[]): CallResult {
  return { ...result, facts: result.facts.filter((f) => citationHolds(f, transcript)) };
}
