import type { Voice } from "@clawcall/contract";
import OpenAI from "openai";
import { mulawEncode } from "../../media/mulaw.ts";
import { abortError, describeHost, ProviderError } from "../abort.ts";
import { DEFAULT_MODELS } from "../default-models.ts";
import { createKeptFetch, warmupOnDemand } from "../kept-fetch.ts";
import { Downsampler24kTo8k } from "./downsample.ts";
import { readBody } from "./read-body.ts";
import type { TTS, TtsCapabilities, TtsRequest } from "./tts.ts";
import { OPENAI_VOICES } from "./voices.ts";

export interface OpenAiTtsOptions {
  apiKey: string;
  baseUrl?: string;
  model?: string;
  voices?: Partial<Record<Voice, string>>;
  maxRetries?: number;
  timeoutMs?: number;
}

/** OpenAI speech: raw 24 kHz PCM, filtered down to 8 kHz and encoded to mu-law as it streams. */
export class OpenAiTts implements TTS {
  readonly name: string;
  readonly capabilities: TtsCapabilities = { streaming: true, outputFormats: ["pcm_24000"] };
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly voices: Record<Voice, string>;

  /** Opens the connection the next request needs unless one is already open. */
  readonly warmup: () => Promise<void>;

  constructor(options: OpenAiTtsOptions) {
    const kept = createKeptFetch();
    this.model = options.model ?? DEFAULT_MODELS.openaiTts;
    this.voices = { ...OPENAI_VOICES, ...options.voices };
    this.name = `openai-tts:${this.model}@${describeHost(options.baseUrl, "api.openai.com")}`;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      // Retries happen before the first byte only, so audio is never replayed.
      maxRetries: options.maxRetries ?? 1,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: "off",
      fetch: kept.fetch,
    });
    this.warmup = warmupOnDemand(kept, this.client.baseURL, () =>
      this.client.models.list({ timeout: 5_000, maxRetries: 0 }),
    );
  }

  async *synthesize(request: TtsRequest): AsyncIterable<Uint8Array> {
    const { signal } = request;
    let response: Response;
    try {
      response = await this.client.audio.speech.create(
        { model: this.model, voice: this.voices[request.voice], input: request.text, response_format: "pcm" },
        { signal },
      );
    } catch (error) {
      throw signal.aborted ? abortError(signal) : asProviderError(this.name, error);
    }
    if (!response.body) throw new ProviderError(this.name, "empty response");
    const downsampler = new Downsampler24kTo8k();
    try {
      for await (const chunk of readBody(response.body)) {
        const pcm = downsampler.push(chunk);
        if (pcm.length > 0) yield mulawEncode(pcm);
      }
    } catch (error) {
      throw signal.aborted ? abortError(signal) : asProviderError(this.name, error);
    }
    if (signal.aborted) throw abortError(signal);
    const tail = downsampler.flush();
    if (tail.length > 0) yield mulawEncode(tail);
  }
}

function asProviderError(provider: string, error: unknown): ProviderError {
  if (error instanceof OpenAI.APIError) {
    const detail = (error.error as { message?: string } | undefined)?.message ?? "request failed";
    return new ProviderError(provider, `HTTP ${error.status ?? "error"}: ${detail}`, {
      status: error.status,
      cause: error,
    });
  }
  return new ProviderError(provider, error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
