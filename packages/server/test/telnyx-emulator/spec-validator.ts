import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

/**
 * Validates Call Control request bodies and webhook payloads against Telnyx's published OpenAPI file,
 * so the emulator refuses anything real Telnyx would not accept and never emits what it would not send.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../../../..");
export const SPEC_PATH = path.resolve(repoRoot, "../shared/specs/telnyx-call-control.openapi.json");

export function specAvailable(): boolean {
  return existsSync(SPEC_PATH);
}

interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post?: Operation }>;
  components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
}

export interface SpecCheck {
  ok: boolean;
  errors: string[];
}

// ajv-formats ships as CommonJS; under ESM its default export may be wrapped once more.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

export class TelnyxSpec {
  readonly spec: Spec;
  private readonly ajv: Ajv2020;
  private readonly byOperation = new Map<string, ValidateFunction>();
  private readonly byEventType = new Map<string, ValidateFunction>();

  constructor(file: string = SPEC_PATH) {
    if (!existsSync(file)) throw new Error(`Telnyx OpenAPI spec not found at ${file}`);
    this.spec = JSON.parse(readFileSync(file, "utf8")) as Spec;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    // Formats OpenAPI uses that JSON Schema does not define: checked loosely, as Telnyx's parser does.
    this.ajv.addFormat("int32", true);
    this.ajv.addFormat("int64", true);
    this.ajv.addFormat("integer", /^-?\d+$/);
    this.ajv.addFormat("float", true);
    this.ajv.addFormat("double", true);
    this.ajv.addSchema(this.spec as object, "telnyx");
  }

  private compileRef(ref: string): ValidateFunction {
    return this.ajv.compile({ $ref: `telnyx${ref}` });
  }

  /** The request-body validator of one operation, e.g. "DialCall", "HangupCall". */
  requestValidator(operationId: string): ValidateFunction {
    const cached = this.byOperation.get(operationId);
    if (cached) return cached;
    for (const methods of Object.values(this.spec.paths)) {
      for (const op of Object.values(methods)) {
        if (op?.operationId !== operationId) continue;
        const schema = op.requestBody?.content?.["application/json"]?.schema as { $ref?: string } | undefined;
        if (!schema?.$ref) throw new Error(`operation ${operationId} has no JSON request body`);
        const fn = this.compileRef(schema.$ref);
        this.byOperation.set(operationId, fn);
        return fn;
      }
    }
    throw new Error(`operation ${operationId} not in spec`);
  }

  checkRequest(operationId: string, body: unknown): SpecCheck {
    const fn = this.requestValidator(operationId);
    const ok = fn(body) as boolean;
    return { ok, errors: ok ? [] : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
  }

  /** The webhook validator for an event_type such as "call.hangup". */
  webhookValidator(eventType: string): ValidateFunction {
    const cached = this.byEventType.get(eventType);
    if (cached) return cached;
    for (const hook of Object.values(this.spec.webhooks)) {
      const schema = hook.post?.requestBody?.content?.["application/json"]?.schema as
        | { $ref?: string }
        | undefined;
      if (!schema?.$ref) continue;
      const eventName = schema.$ref.split("/").pop() ?? "";
      const dataRef = this.resolveDataRef(eventName);
      const types = dataRef
        ? this.spec.components.schemas[dataRef]?.properties?.["event_type"]?.enum
        : undefined;
      if (!types?.includes(eventType)) continue;
      const fn = this.compileRef(schema.$ref);
      this.byEventType.set(eventType, fn);
      return fn;
    }
    throw new Error(`no webhook schema for ${eventType}`);
  }

  private resolveDataRef(eventSchema: string): string | undefined {
    const data = this.spec.components.schemas[eventSchema]?.properties?.["data"] as
      | { $ref?: string }
      | undefined;
    return data?.$ref?.split("/").pop();
  }

  checkWebhook(eventType: string, body: unknown): SpecCheck {
    const fn = this.webhookValidator(eventType);
    const ok = fn(body) as boolean;
    return { ok, errors: ok ? [] : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
  }

  /** Every value Telnyx documents for `call.hangup`'s hangup_cause. */
  hangupCauses(): string[] {
    const payload = this.spec.components.schemas["CallHangup"]?.properties?.["payload"] as
      | { properties?: Record<string, { enum?: string[] }> }
      | undefined;
    const values = payload?.properties?.["hangup_cause"]?.enum;
    if (!values?.length) throw new Error("spec has no hangup_cause enum");
    return values;
  }
}
