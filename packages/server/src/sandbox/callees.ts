import { randomUUID } from "node:crypto";
import path from "node:path";
import type { RecordingLinks } from "../api/recording-links.ts";
import type { Config } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import type { CalleeFactory } from "./network.ts";
import { startSandboxCallee } from "./personas/index.ts";
import { createCallRecorder } from "./recording.ts";
import type { SandboxSpeech } from "./speech/sandbox-speech.ts";

/**
 * Who answers sandbox calls: the scripted persona of each magic number, speaking flite audio, and a
 * recorder that writes both sides to a WAV file served through a signed, expiring link.
 */
export function createSandboxCallees(
  config: Config,
  speech: SandboxSpeech,
  recordings: RecordingLinks,
  logger: Logger,
): CalleeFactory {
  return {
    spokenText: speech.spokenText,
    start(line, media, controls) {
      return startSandboxCallee(line ?? "generic", media, controls, {
        speech: speech.speech,
        holdSeconds: config.carrier.sandbox.holdSeconds,
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
