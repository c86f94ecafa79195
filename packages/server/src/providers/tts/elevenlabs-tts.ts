import type { Voice } from "@clawcall/contract";
import { ElevenLabsClient, ElevenLabsError } from "@elevenlabs/elevenlabs-js";
import { abortError, describeHost, ProviderError } from "../abort.ts";
import { DEFAULT_MODELS } from "../default-models.ts";
import { connectionReleased } from "../idle.ts";
import { ElevenLabsSocketPool } from "./elevenlabs-socket.ts";
import { ElevenLabsTextStream } from "./elevenlabs-stream.ts";
import { readBody } from "./read-body.ts";
import type { TTS, TtsCapabilities, TtsRequest, TtsStreamRequest, TtsTextStream } from "./tts.ts";
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
  /** Replies stream their text over the multi-context WebSocket (default); false: one request per chunk. */
  inputStreaming?: boolean;
  /** WebSocket: connecting, and waiting for audio once text was flushed (default 5 s each). */
  connectTimeoutMs?: number;
  audioTimeoutMs?: number;
  /** WebSocket: how long a connection stays open for the next reply (default 60 s). */
  idleMs?: number;
  /** WebSocket: ElevenLabs' chunk_length_schedule; its own default when absent. */
  chunkLengthSchedule?: readonly number[];
}

/** ElevenLabs streaming TTS, asked for 8 kHz mu-law so its bytes go to the phone as they are. */
export class ElevenLabsTts implements TTS {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  private readonly client: ElevenLabsClient;
  private readonly sockets: ElevenLabsSocketPool;
  private readonly audioTimeoutMs: number;
  private readonly chunkLengthSchedule: readonly number[] | undefined;
  private readonly model: string;
  private readonly voiceIds: Record<Voice, string>;
  private readonly maxRetries: number;

  constructor(options: ElevenLabsTtsOptions) {
    this.model = options.model ?? DEFAULT_MODELS.elevenlabs;
    this.voiceIds = { ...ELEVENLABS_VOICE_IDS, ...options.voiceIds };
    this.maxRetries = options.maxRetries ?? 1;
    this.name = `elevenlabs:${this.model}@${describeHost(options.baseUrl, "api.elevenlabs.io")}`;
    this.capabilities = {
      streaming: true,
      inputStreaming: options.inputStreaming ?? true,
      outputFormats: ["mulaw_8000", "pcm_16000", "pcm_24000"],
    };
    this.audioTimeoutMs = options.audioTimeoutMs ?? 5000;
    this.chunkLengthSchedule = options.chunkLengthSchedule;
    this.sockets = new ElevenLabsSocketPool({
      name: this.name,
      apiKey: options.apiKey,
      baseUrl: options.baseUrl ?? "https://api.elevenlabs.io",
      model: this.model,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      idleMs: options.idleMs ?? 60_000,
    });
    this.client = new ElevenLabsClient({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      maxRetries: this.maxRetries,
      timeoutInSeconds: (options.timeoutMs ?? 10_000) / 1000,
    });
  }

  async warmup(voice?: Voice): Promise<void> {
    // Replies stream over the voice's WebSocket; the HTTP connection serves lines spoken whole.
    await Promise.all([
      voice === undefined ? undefined : this.sockets.warm(this.voiceIds[voice], AbortSignal.timeout(5_000)),
      this.client.models.list({ maxRetries: 0, timeoutInSeconds: 5 }).then(connectionReleased),
    ]);
  }

  /** A reply's text streamed in as it is written; see ElevenLabsTextStream. */
  openStream(request: TtsStreamRequest): TtsTextStream {
    return new ElevenLabsTextStream(
      this.sockets,
      this.voiceIds[request.voice],
      {
        name: this.name,
        audioTimeoutMs: this.audioTimeoutMs,
        ...(this.chunkLengthSchedule ? { chunkLengthSchedule: this.chunkLengthSchedule } : {}),
      },
      request.signal,
    );
  }

  /** Closes the connections kept open between replies. */
  close(): void {
    this.sockets.close();
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
