import { describe, expect, it } from "vitest";
import { MULAW_SILENCE } from "../media-pair.ts";
import { isHoldMusicFrame } from "./hold-music-frames.ts";
import { holdMusic, voicemailBeep } from "./tones.ts";

describe("isHoldMusicFrame", () => {
  const music = holdMusic();

  it("knows every frame of the hold music loop", () => {
    for (let offset = 0; offset < music.length; offset += 160) {
      expect(isHoldMusicFrame(music.subarray(offset, offset + 160))).toBe(true);
    }
  });

  it("knows no other frame: silence, a beep, the music shifted off its frames or changed by one byte", () => {
    expect(isHoldMusicFrame(new Uint8Array(160).fill(MULAW_SILENCE))).toBe(false);
    expect(isHoldMusicFrame(voicemailBeep().subarray(1600, 1760))).toBe(false);
    expect(isHoldMusicFrame(music.subarray(80, 240))).toBe(false);
    const changed = music.slice(3200, 3360);
    changed[17] = changed[17]! ^ 1;
    expect(isHoldMusicFrame(changed)).toBe(false);
    expect(isHoldMusicFrame(music.subarray(0, 80))).toBe(false);
  });
});
