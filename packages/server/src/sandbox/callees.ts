import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Logger } from "../observability/logger.ts";
import type { CalleeFactory } from "./network.ts";
import { startSandboxCallee } from "./personas/index.ts";
import { createCallRecorder } from "./recording.ts";
import type { ShownCodes } from "./shown-codes.ts";
import type { SandboxSpeech } from "./speech/sandbox-speech.ts";

/** Where finished recordings are kept and how a link to one is handed out (signed and expiring). */
export interface RecordingShelf {
  readonly directory: string;
  publish(file: string): { url: string; expiresAt: Date };
}

/**
 * Who answers sandbox calls: the scripted persona of each magic number, speaking flite audio, and a
 * recorder that writes both sides to a WAV file served through a signed, expiring link.
 */
export function createSandboxCallees(
  settings: { holdSeconds: number },
  speech: SandboxSpeech,
  recordings: RecordingShelf,
  logger: Logger,
  shownCodes?: ShownCodes,
): CalleeFactory {
  return {
    spokenText: speech.spokenText,
    start(line, media, controls, context = {}) {
      const shownCode = context.number ? shownCodes?.read(context.number) : undefined;
      return startSandboxCallee(line ?? "generic", media, controls, {
        speech: speech.speech,
        spokenText: speech.spokenText,
        holdSeconds: settings.holdSeconds,
        context: { ...context, ...(shownCode ? { shownCode } : {}) },
        onError: (err) => logger.error({ err }, "sandbox persona failed"),
      });
    },
    record(callId) {
      // The file name is random: the link, not the name, is what grants access.
      const file = path.join(recordings.directory, `${randomUUID()}.wav`);
      const recorder = createCallRecorder(file);
      return {
        write: (fromAgent, fromCallee) => recorder.write(fromAgent, fromCallee),
        async finish() {
          const done = await recorder.finish();
          if (done.seconds <= 0) return null;
          const link = recordings.publish(done.path);
          logger.debug({ callId, seconds: done.seconds }, "sandbox recording saved");
          return link;
        },
      };
    },
  };
}
