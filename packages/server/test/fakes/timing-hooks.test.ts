import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { FRAME_BYTES } from "../../src/media/media-stream.ts";
import { toneFrames } from "../telnyx-emulator/callee.ts";
import { startFakeDeepgram } from "./fake-deepgram.ts";
import { startFakeElevenLabs } from "./fake-elevenlabs.ts";
import { startFakeOpenAi } from "./fake-openai.ts";

// What the real-path bench relies on to stamp each vendor's stage on its own clock.
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("vendor fakes' timing hooks", () => {
  it("OpenAI streams punctuation as its own token and reports each token as it is written", async () => {
    const openai = await startFakeOpenAi();
    closers.push(openai.close);
    const seen: string[] = [];
    openai.chat.setDefault({
      text: "Great choice, see you at seven.",
      splitPunctuation: true,
      onToken: (i, text) => seen.push(`${i}:${text}`),
    });
    const res = await fetch(`${openai.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "Hi" }] }),
      signal: AbortSignal.timeout(5000),
    });
    const streamed = (await res.text())
      .split("\n\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => JSON.parse(l.slice(6)).choices[0].delta.content)
      .filter((c): c is string => typeof c === "string" && c.length > 0);
    expect(streamed).toEqual(["Great", " choice", ",", " see", " you", " at", " seven", "."]);
    expect(seen).toEqual(streamed.map((t, i) => `${i}:${t}`));
  });

  it("ElevenLabs reports its first audio bytes once", async () => {
    const eleven = await startFakeElevenLabs();
    closers.push(eleven.close);
    let firstBytes = 0;
    eleven.speech.setDefault({ onFirstByte: () => firstBytes++ });
    const res = await fetch(`${eleven.url}/v1/text-to-speech/v1/stream?output_format=ulaw_8000`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "A table for two at seven tonight." }),
      signal: AbortSignal.timeout(5000),
    });
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(firstBytes).toBe(1);
  });

  it("Deepgram ends speech after its own endpointing when set, and reports the final it sends", async () => {
    const results: { text: string; isFinal: boolean; speechFinal: boolean }[] = [];
    const deepgram = await startFakeDeepgram({ endpointMs: 60, onResult: (r) => results.push(r) });
    closers.push(deepgram.close);
    deepgram.hear("Table for two");
    // The client asks for 300 ms; 100 ms of silence is enough for a fake told to wait 60.
    const ws = new WebSocket(`${deepgram.url}/v1/listen?encoding=mulaw&sample_rate=8000&endpointing=300`);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const finalSeen = new Promise<void>((resolve) =>
      ws.on("message", (data) => {
        if ((JSON.parse(String(data)) as { is_final?: boolean }).is_final) resolve();
      }),
    );
    for (const frame of toneFrames(440, 400)) ws.send(frame);
    for (let i = 0; i < 5; i++) ws.send(new Uint8Array(FRAME_BYTES).fill(0xff));
    await finalSeen;
    ws.close();
    expect(results.filter((r) => r.isFinal)).toEqual([
      { text: "Table for two", isFinal: true, speechFinal: true },
    ]);
  });
});
