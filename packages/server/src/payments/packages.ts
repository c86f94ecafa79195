/** A package of call time the purchase page sells; its id is its minutes, which are unique. */
export interface CallTimePackage {
  id: string;
  minutes: number;
  /** In the currency's smallest unit (cents for USD), as Stripe takes `unit_amount`. */
  amount: number;
}

export const DEFAULT_PACKAGES = "60:900,300:3900";
export const MAX_PACKAGES = 10;
const MAX_MINUTES = 100_000;
// Stripe's largest `unit_amount` for most currencies (eight digits).
const MAX_AMOUNT = 99_999_999;

/** Parses `minutes:amount,...`; returns the problem in words when the text is not a valid list. */
export function parsePackages(text: string): CallTimePackage[] | string {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) return "lists no package; use minutes:price_in_cents, e.g. 60:900,300:3900";
  if (items.length > MAX_PACKAGES)
    return `lists ${items.length} packages; at most ${MAX_PACKAGES} are allowed`;
  const packages: CallTimePackage[] = [];
  for (const item of items) {
    const m = /^(\d{1,9}):(\d{1,9})$/.exec(item);
    if (!m) return `"${item}" is not minutes:price_in_cents (two whole numbers)`;
    const minutes = Number(m[1]);
    const amount = Number(m[2]);
    if (minutes < 1 || minutes > MAX_MINUTES) return `"${item}": minutes must be 1 to ${MAX_MINUTES}`;
    if (amount < 1 || amount > MAX_AMOUNT) return `"${item}": the price must be 1 to ${MAX_AMOUNT}`;
    if (packages.some((p) => p.minutes === minutes)) return `"${item}": ${minutes} minutes is listed twice`;
    packages.push({ id: String(minutes), minutes, amount });
  }
  return packages;
}

/** "$9.00" for 900 USD, "¥900" for 900 JPY: the amount is in the currency's smallest unit. */
export function formatPrice(amount: number, currency: string): string {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

export const packageLabel = (p: CallTimePackage) => `${p.minutes} ${p.minutes === 1 ? "minute" : "minutes"}`;
