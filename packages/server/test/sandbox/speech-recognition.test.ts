import { afterAll, describe, expect, it } from "vitest";
import type { STT, SttEvent } from "../../src/providers/stt/stt.ts";
import { LINES, personaPhrases, personaUtterances } from "../../src/sandbox/personas/lines.ts";
import { FliteCalleeSpeech } from "../../src/sandbox/speech/callee-speech.ts";
import { PersonaLineIndex } from "../../src/sandbox/speech/line-index.ts";
import { PersonaLineStt } from "../../src/sandbox/speech/persona-line-stt.ts";
import { PocketsphinxStt } from "../../src/sandbox/speech/pocketsphinx-stt.ts";
import { describeWith, POCKETSPHINX } from "../helpers/prerequisites.ts";

const index = new PersonaLineIndex();
const speech = new FliteCalleeSpeech({ index });
afterAll(() => speech.close());

const SILENCE = new Uint8Array(8000 * 1.3).fill(0xff);

/** Streams audio chunks through a session and collects the finals it reports. */
async function transcribe(stt: STT, chunks: Uint8Array[], settleMs = 0): Promise<SttEvent[]> {
  const events: SttEvent[] = [];
  const controller = new AbortController();
  const session = await stt.open({
    encoding: "mulaw",
    sampleRate: 8000,
    language: "en-US",
    signal: controller.signal,
    onEvent: (e) => events.push(e),
  });
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i += 160) session.write(chunk.subarray(i, i + 160));
    if (settleMs) await new Promise((r) => setTimeout(r, settleMs));
  }
  await session.close();
  return events;
}

const finals = (events: SttEvent[]) => events.flatMap((e) => (e.type === "final" ? [e.text] : []));

describe("callee speech", () => {
  it("speaks a line as 8 kHz mu-law in whole 20 ms frames, the same bytes every time", async () => {
    const audio = await speech.line(LINES.menuPrompt.text, LINES.menuPrompt.voice);
    expect(audio.length % 160).toBe(0);
    // The prompt is a few seconds long at 8000 bytes per second.
    expect(audio.length / 8000).toBeGreaterThan(3);
    expect(audio.length / 8000).toBeLessThan(10);
    const fresh = new FliteCalleeSpeech();
    try {
      expect(await fresh.line(LINES.menuPrompt.text, LINES.menuPrompt.voice)).toEqual(audio);
    } finally {
      await fresh.close();
    }
  });
});

describe("reading persona lines (the fallback without pocketsphinx)", () => {
  it("reports a line once its audio has played out, and nothing for music, beeps or cut-off lines", async () => {
    const greeting = await speech.line(LINES.deskGreeting.text, LINES.deskGreeting.voice);
    const hold = await speech.line(LINES.holdAnnouncement.text, LINES.holdAnnouncement.voice);
    const events = await transcribe(new PersonaLineStt(index), [
      speech.holdMusic(),
      greeting,
      SILENCE,
      hold.subarray(0, Math.floor(hold.length / 320) * 160),
      SILENCE,
      speech.beep(),
      hold,
    ]);
    expect(finals(events)).toEqual([LINES.deskGreeting.text, LINES.holdAnnouncement.text]);
    expect(events[0]).toEqual({ type: "speech_started" });
  });
});

describeWith(POCKETSPHINX, "pocketsphinx recognition over 8 kHz mu-law", () => {
  it("recognises every persona line flite speaks, exactly, in the voice the persona uses", async () => {
    const stt = new PocketsphinxStt({ phrases: personaPhrases() });
    try {
      expect(stt.skippedPhrases).toEqual([]);
      const utterances = personaUtterances();
      // A session per batch: one session fed every line at once would still be working through its
      // backlog when its close deadline passes on a slow machine.
      const heard: string[] = [];
      for (let i = 0; i < utterances.length; i += 20) {
        const chunks: Uint8Array[] = [];
        for (const u of utterances.slice(i, i + 20)) chunks.push(await speech.line(u.text, u.voice), SILENCE);
        heard.push(...finals(await transcribe(stt, chunks, 100)));
      }
      expect(heard).toEqual(utterances.map((u) => u.text));
    } finally {
      stt.dispose();
    }
  }, 240_000);

  it("recognises a voicemail greeting whose beep follows it with no pause", async () => {
    const stt = new PocketsphinxStt({ phrases: personaPhrases() });
    try {
      const greeting = await speech.line(LINES.voicemailGreeting.text, LINES.voicemailGreeting.voice);
      const heard = finals(await transcribe(stt, [greeting, speech.beep(), SILENCE], 50));
      expect(heard).toEqual([LINES.voicemailGreeting.text]);
    } finally {
      stt.dispose();
    }
  });

  it("recognises a hold announcement between stretches of hold music, which it leaves out", async () => {
    const stt = new PocketsphinxStt({ phrases: personaPhrases() });
    try {
      const hold = await speech.line(LINES.holdAnnouncement.text, LINES.holdAnnouncement.voice);
      const events = await transcribe(stt, [speech.holdMusic(), hold, speech.holdMusic(), SILENCE], 50);
      expect(finals(events)).toEqual([LINES.holdAnnouncement.text]);
      // The music is still sound to the session's own voice detector.
      expect(events[0]).toEqual({ type: "speech_started" });
    } finally {
      stt.dispose();
    }
  });

  it("hears nothing in hold music, a beep or silence", async () => {
    const stt = new PocketsphinxStt({ phrases: personaPhrases() });
    try {
      const heard = finals(await transcribe(stt, [speech.holdMusic(), SILENCE, speech.beep(), SILENCE], 50));
      expect(heard).toEqual([]);
    } finally {
      stt.dispose();
    }
  });
});
