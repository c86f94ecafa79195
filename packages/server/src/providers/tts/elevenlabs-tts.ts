import type { Voice } from "@clawcall/contract";
import { ElevenLabsClient, ElevenLabsError } from "@elevenlabs/elevenlabs-js";
import { abortError, describeHost, ProviderError } from "../abort.ts";
import { DEFAULT_MODELS } from "../default-models.ts";
import { connectionReleased } from "../idle.ts";
import { readBody } from "./read-body.ts";
import type { TTS, TtsCapabilities, TtsRequest } from "./tts.ts";
import { ELEVENLABS_VOICE_IDS } from "./voices.ts";

export interface ElevenLabsTtsOptions {
  apiKey: string;
  baseUrl?: string;
  /** Flash is ElevenLabs' lowest-latency model. */
  model?: string;
  /** Overrides of the premade voice ids (e.g. an account's own voices). */
  voiceIds?: Partial<Record<Voice, string>>;
  /** Retries before the first byte; audio cut off mid-sentence is never retried. */
  maxRetries?: number;
  timeoutMs?: number;
}

/** ElevenLabs streaming TTS, asked for 8 kHz mu-law so its bytes go to the phone as they are. */
export class ElevenLabsTts implements TTS {
  readonly name: string;
  readonly capabilities: TtsCapabilities = {
    streaming: true,
    outputFormats: ["mulaw_8000", "pcm_16000", "pcm_24000"],
  };
  private readonly client: ElevenLabsClient;
  private readonly model: string;
  private readonly voiceIds: Record<Voice, string>;
  private readonly maxRetries: number;

  constructor(options: ElevenLabsTtsOptions) {
    this.model = options.model ?? DEFAULT_MODELS.elevenlabs;
    this.voiceIds = { ...ELEVENLABS_VOICE_IDS, ...options.voiceIds };
    this.maxRetries = options.maxRetries ?? 1;
    this.name = `elevenlabs:${this.model}@${describeHost(options.baseUrl, "api.elevenlabs.io")}`;
    this.client = new ElevenLabsClient({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      maxRetries: this.maxRetries,
      timeoutInSeconds: (options.timeoutMs ?? 10_000) / 1000,
    });
  }

  async warmup(): Promise<void> {
    await this.client.models.list({ maxRetries: 0, timeoutInSeconds: 5 });
    await connectionReleased();
  }

  async *synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    const { signal } = request;
    let body: ReadableStream<Uint8Array>;
    try {
      body = await this.client.textToSpeech.stream(
        this.voiceIds[request.voice],
        { text: request.text, modelId: this.model, outputFormat: "ulaw_8000" },
        { abortSignal: signal, maxRetries: this.maxRetries },
      );
    } catch (error) {
      throw signal.aborted ? abortError(signal) : asProviderError(this.name, error);
    }
    try {
      yield* readBody(body);
    } catch (error) {
      throw signal.aborted ? abortError(signal) : asProviderError(this.name, error);
    }
    if (signal.aborted) throw abortError(signal);
  }
}

function asProviderError(provider: string, error: unknown): ProviderError {
  if (error instanceof ElevenLabsError) {
    const detail = (error.body as { detail?: { status?: string; message?: string } } | undefined)?.detail;
    const what = detail?.status ?? detail?.message ?? "request failed";
    return new ProviderError(provider, `HTTP ${error.statusCode ?? "error"}: ${what}`, {
      status: error.statusCode,
      cause: error,
    });
  }
  return new ProviderError(provider, error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
