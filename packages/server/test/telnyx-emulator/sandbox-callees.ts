import type { SandboxVerdict } from "@clawcall/contract";
import { FRAME_BYTES, type MediaHandlers, type MediaStream } from "../../src/media/media-stream.ts";
import { magicLine } from "../../src/sandbox/magic-numbers.ts";
import type { CalleeFactory as SandboxCalleeFactory } from "../../src/sandbox/network.ts";
import { PlayedTextFollower } from "../../src/sandbox/played-text.ts";
import type { CalleeFactory } from "./callee.ts";

type Outbound = { audio: Uint8Array } | { mark: string };

const callerMark = (wire: string) => wire.replace(/#\d+$/, "");

/**
 * Lets the sandbox's personas play the far end of emulated Telnyx calls: each persona gets the callee's
 * side of a MediaStream, exactly as on the direct sandbox, and its audio is paced out by the media client.
 */
export function calleesFromSandbox(
  sandbox: SandboxCalleeFactory,
  options: { onVerdict?(callControlId: string, verdict: SandboxVerdict): void } = {},
): CalleeFactory {
  return (ctx) => {
    let handlers: MediaHandlers | undefined;
    let queue: Outbound[] = [];
    let closed = false;
    let own: { played(bytes: number): void; mark(name: string): void } | undefined;
    const flushMarks = () => {
      while (queue[0] && "mark" in queue[0]) {
        const item = queue.shift() as { mark: string };
        own?.mark(item.mark);
        handlers?.onMark?.(item.mark);
      }
    };
    const media: MediaStream = {
      attach: (h) => {
        handlers = h;
      },
      send: (audio) => {
        if (!closed && audio.length > 0) queue.push({ audio: audio.slice() });
      },
      mark: (name) => {
        queue.push({ mark: name });
        flushMarks();
      },
      clear: () => {
        // As the seam says: unplayed audio goes, and its pending marks are not reported.
        queue = [];
      },
      close: () => ctx.hangup(),
    };
    // The user a transfer joins is the sandbox's bridged person, whatever number was rung.
    const line = ctx.leg === "bridge" ? "bridged" : magicLine(ctx.to);
    const running = sandbox.start(
      line,
      media,
      { hangup: () => ctx.hangup(), pressDigit: (digit) => ctx.sendDigit(digit) },
      { number: ctx.to },
    );
    const words = new PlayedTextFollower(sandbox.spokenText, (text) => running.hear?.(text));
    return {
      nextFrame: () => {
        flushMarks();
        const head = queue[0];
        if (!head || !("audio" in head)) return undefined;
        const frame = new Uint8Array(FRAME_BYTES).fill(0xff);
        frame.set(head.audio.subarray(0, FRAME_BYTES));
        own?.played(Math.min(FRAME_BYTES, head.audio.length));
        if (head.audio.length <= FRAME_BYTES) queue.shift();
        else head.audio = head.audio.subarray(FRAME_BYTES);
        flushMarks();
        return frame;
      },
      hearAgent: (frame) => handlers?.onAudio(frame),
      agentPlayed: (bytes) => words.played(bytes),
      // The adapter sends a mark as "<name>#<n>": the name is what the voice session noted its text under.
      agentMark: (name) => words.mark(callerMark(name)),
      agentCleared: (remaining, marks) => words.cleared(remaining, marks.map(callerMark)),
      hearDigit: (digit) => handlers?.onDigit?.(digit),
      followOwnAudio: (listener) => {
        own = listener;
      },
      close: () => {
        if (closed) return;
        closed = true;
        running.stop();
        const verdict = running.verdict?.();
        if (verdict) options.onVerdict?.(ctx.callControlId, verdict);
        handlers?.onClose?.("hangup");
      },
    };
  };
}
