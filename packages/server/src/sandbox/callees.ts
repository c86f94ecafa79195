import type { RecordingLinks } from "../api/recording-links.ts";
import type { Config } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import type { CalleeFactory } from "./network.ts";

/** Who answers sandbox calls. Until scripted personas are wired in, an answered line stays open and quiet. */
export function createSandboxCallees(
  _config: Config,
  _recordings: RecordingLinks,
  _logger: Logger,
): CalleeFactory {
  return {
    start: () => ({ stop() {} }),
  };
}
