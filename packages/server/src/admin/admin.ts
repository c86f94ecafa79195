// Room admin/: the operator's command line (`npm run admin`) over the same config, store and billing.
import { parseArgs } from "node:util";
import { Billing } from "../billing/billing.ts";
import { passwordProblem } from "../billing/password-policy.ts";
import { type Env, loadConfig } from "../config/config.ts";
import { openDatabase } from "../store/database.ts";

const USAGE = `Usage: clawcall admin <command> [options]

Commands:
  create-account --email E --password P   create an account (the password is stored as a slow hash)
  grant --email E --minutes N [--note T]  credit N minutes of call time to an account
  balance --email E                       show an account's balance
  keys --email E                          list the account's API keys (hint, created, last used, calls)
  revoke-key --email E --key=K            revoke one of them, named by its hint or id; it answers 401 at once
                                          (write --key=K: a hint may start with a dash)

Runs against the database the service is configured with (CLAWCALL_DATA_DIR or DATABASE_URL).`;

/** The operator's command line. Returns the process exit code; output goes through `print`. */
export async function runAdmin(
  argv: string[],
  env: Env,
  print: (line: string) => void = console.log,
): Promise<number> {
  const [command, ...rest] = argv;
  let values: { email?: string; password?: string; minutes?: string; note?: string; key?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        email: { type: "string" },
        password: { type: "string" },
        minutes: { type: "string" },
        note: { type: "string" },
        key: { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    print(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!command || command === "help" || command === "--help") {
    print(USAGE);
    return command ? 0 : 2;
  }
  if (!["create-account", "grant", "balance", "keys", "revoke-key"].includes(command)) {
    print(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(env);
  const db = await openDatabase(config);
  const billing = new Billing(db, config.billing);
  const now = new Date();
  try {
    const email = values.email?.trim().toLowerCase();
    if (!email) {
      print("--email is required");
      return 2;
    }
    switch (command) {
      case "create-account": {
        const password = values.password ?? "";
        const problem = password ? passwordProblem(password, email) : "--password is required";
        if (problem) {
          print(problem);
          return 2;
        }
        const created = await billing.createAccount(email, password, now);
        if (created === "email_taken") {
          print(`An account for ${email} already exists.`);
          return 1;
        }
        print(`Created account ${created.id} for ${email}.`);
        return 0;
      }
      case "grant": {
        const minutes = Number(values.minutes);
        if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 100_000) {
          print("--minutes must be a positive number");
          return 2;
        }
        const account = await billing.accountByEmail(email);
        if (!account) {
          print(`No account for ${email}.`);
          return 1;
        }
        await billing.credit(
          account.id,
          Math.round(minutes * 60),
          "grant",
          values.note ?? "operator grant",
          now,
        );
        const balance = await billing.ledger.balance(`account:${account.id}`);
        print(`Granted ${minutes} min to ${email}. Balance: ${(balance / 60).toFixed(1)} min.`);
        return 0;
      }
      case "balance": {
        const account = await billing.accountByEmail(email);
        if (!account) {
          print(`No account for ${email}.`);
          return 1;
        }
        const balance = await billing.ledger.balance(`account:${account.id}`);
        print(`${email}: ${balance} s (${(balance / 60).toFixed(1)} min)`);
        return 0;
      }
      case "keys":
      case "revoke-key": {
        const account = await billing.accountByEmail(email);
        if (!account) {
          print(`No account for ${email}.`);
          return 1;
        }
        if (command === "revoke-key") {
          if (!values.key) {
            print("--key (the hint or id shown by `keys`) is required");
            return 2;
          }
          const revoked = await billing.keys.revokeForAccount(account.id, values.key, now);
          if (!revoked) {
            print(`${email} has no key ${values.key}.`);
            return 1;
          }
          print(`Revoked key ${revoked.hint}… (${revoked.id}).`);
          return 0;
        }
        const keys = await billing.keys.ofAccount(account.id);
        if (keys.length === 0) print(`${email} has no keys.`);
        for (const k of keys) {
          const state = k.revoked_at ? `revoked ${k.revoked_at}` : `last used ${k.last_used_at ?? "never"}`;
          print(`${k.hint}…  ${k.id}  created ${k.created_at}  ${state}  ${k.calls} call(s)`);
        }
        return 0;
      }
      default:
        return 2;
    }
  } finally {
    await db.destroy();
  }
}
