import type { STT } from "../../providers/stt/stt.ts";
import { SpokenTextJournal } from "../../voice/spoken-text.ts";
import { personaPhrases, personaUtterances } from "../personas/lines.ts";
import { FliteCalleeSpeech } from "./callee-speech.ts";
import { PersonaLineIndex } from "./line-index.ts";
import { PersonaLineStt } from "./persona-line-stt.ts";
import { PocketsphinxStt, pocketsphinxAvailable } from "./pocketsphinx-stt.ts";

export interface SandboxSpeech {
  /** The callees' voices, for startSandboxCallee. */
  speech: FliteCalleeSpeech;
  /** What the agent hears sandbox callees with. */
  stt: STT;
  recognition: "pocketsphinx" | "persona-lines";
  /**
   * How callees understand the agent: the voice session notes the text of each chunk it plays here,
   * and the line tells a callee the words whose audio was played (no offline recogniser transcribes
   * open speech). Given to the conversation engine and to the callees.
   */
  spokenText: SpokenTextJournal;
  /** One line for the startup banner. */
  describe(): string;
  close(): Promise<void>;
}

/**
 * The sandbox's offline speech, wired: flite voices for the personas, and for the agent pocketsphinx
 * with the personas' phrase grammar when Debian's package is installed, else the persona-line reader.
 */
export function createSandboxSpeech(
  options: { cacheDir?: string; usePocketsphinx?: boolean } = {},
): SandboxSpeech {
  const index = new PersonaLineIndex();
  const speech = new FliteCalleeSpeech({
    index,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });
  const sphinx = (options.usePocketsphinx ?? true) && pocketsphinxAvailable();
  const stt: STT = sphinx ? new PocketsphinxStt({ phrases: personaPhrases() }) : new PersonaLineStt(index);
  // Synthesise every line in the background, so the first calls do not wait for flite.
  speech.warm(personaUtterances()).catch(() => undefined);
  return {
    speech,
    stt,
    recognition: sphinx ? "pocketsphinx" : "persona-lines",
    spokenText: new SpokenTextJournal(),
    describe: () =>
      sphinx
        ? "sandbox speech recognition: pocketsphinx"
        : "sandbox speech recognition: reading persona lines (install pocketsphinx for real recognition)",
    async close() {
      if (stt instanceof PocketsphinxStt) stt.dispose();
      await speech.close();
    },
  };
}
