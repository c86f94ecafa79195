/**
 * Turns the sandbox's phrase list into what pocketsphinx needs: a JSGF grammar that accepts one or more
 * whole phrases in a row, and a dictionary restricted to their words.
 */

/** Lower case, spelled words only: the form pocketsphinx reports and its dictionary holds. */
export function normalizePhrase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z' ]+/g, " ")
    .replace(/(^|\s)'+|'+(?=\s|$)/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export interface SandboxGrammar {
  jsgf: string;
  dictionary: string;
  /** Phrases left out because a word is not in the pronunciation dictionary. */
  skipped: string[];
  /** Normalized phrase → the phrase as written, to report recognised text with its punctuation. */
  originals: Map<string, string>;
}

/** Parses a CMU dictionary ("word PH1 PH2", alternates as "word(2) ...") into word → its lines. */
function indexDictionary(cmudict: string): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const line of cmudict.split("\n")) {
    const space = line.indexOf(" ");
    if (space <= 0) continue;
    const word = line.slice(0, space).replace(/\(\d+\)$/, "");
    const entries = index.get(word);
    if (entries) entries.push(line);
    else index.set(word, [line]);
  }
  return index;
}

export function buildGrammar(phrases: readonly string[], cmudict: string): SandboxGrammar {
  const dict = indexDictionary(cmudict);
  const originals = new Map<string, string>();
  const skipped: string[] = [];
  const words = new Set<string>();
  for (const phrase of phrases) {
    const normalized = normalizePhrase(phrase);
    if (normalized === "" || originals.has(normalized)) continue;
    const phraseWords = normalized.split(" ");
    if (phraseWords.some((w) => !dict.has(w))) {
      skipped.push(phrase);
      continue;
    }
    for (const w of phraseWords) words.add(w);
    originals.set(normalized, phrase);
  }
  const alternatives = [...originals.keys()].map((p) => `( ${p} )`).join("\n  | ");
  const jsgf = `#JSGF V1.0;\ngrammar sandbox;\npublic <utterance> = <phrase>+;\n<phrase> = ${alternatives || "<VOID>"};\n`;
  const dictionary = `${[...words]
    .sort()
    .flatMap((w) => dict.get(w) ?? [])
    .join("\n")}\n`;
  return { jsgf, dictionary, skipped, originals };
}

/**
 * Maps a hypothesis back to the phrases as written, so the agent sees "Hello?" rather than "hello".
 * A run of phrases is split greedily, longest first; anything unexpected is returned as heard.
 */
export function restorePhrases(hypothesis: string, originals: ReadonlyMap<string, string>): string {
  const words = hypothesis.trim().split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let i = 0;
  while (i < words.length) {
    let matched = false;
    for (let end = words.length; end > i; end--) {
      const original = originals.get(words.slice(i, end).join(" "));
      if (original !== undefined) {
        out.push(original);
        i = end;
        matched = true;
        break;
      }
    }
    if (!matched) return words.join(" ");
  }
  return out.join(" ");
}
