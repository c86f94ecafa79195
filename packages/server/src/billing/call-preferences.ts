import type { CallPreferencesInput, Voice } from "@clawcall/contract";
import type { Db } from "../store/database.ts";

export interface StoredPreferences {
  voice: Voice | null;
  personality: string | null;
  greeting: string | null;
  warm_greeting: string | null;
}

const NONE: StoredPreferences = { voice: null, personality: null, greeting: null, warm_greeting: null };

/**
 * An owner's defaults for calls that omit voice, personality or greeting. The owner is the wallet
 * (`account:<id>` for a linked key), so every key of an account shares them, as they share its time.
 */
export class CallPreferenceStore {
  constructor(private readonly db: Db) {}

  async get(owner: string): Promise<StoredPreferences> {
    const row = await this.db
      .selectFrom("call_preferences")
      .select(["voice", "personality", "greeting", "warm_greeting"])
      .where("owner", "=", owner)
      .executeTakeFirst();
    return row ? { ...row, voice: row.voice as Voice | null } : NONE;
  }

  /** Replaces the whole set; fields left out are cleared. */
  async put(owner: string, input: CallPreferencesInput, now: Date): Promise<StoredPreferences> {
    const values: StoredPreferences = {
      voice: input.voice ?? null,
      personality: input.personality ?? null,
      greeting: input.greeting ?? null,
      warm_greeting: input.warm_greeting ?? null,
    };
    const updated_at = now.toISOString();
    await this.db
      .insertInto("call_preferences")
      .values({ owner, ...values, updated_at })
      .onConflict((oc) => oc.column("owner").doUpdateSet({ ...values, updated_at }))
      .execute();
    return values;
  }

  async clear(owner: string): Promise<void> {
    await this.db.deleteFrom("call_preferences").where("owner", "=", owner).execute();
  }
}
