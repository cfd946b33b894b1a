// OPERATOR_KEYS: who may call the Operator API (/admin/graphql). Parsed once at start by
// src/config.ts, so a malformed value stops the process with a message naming the variable.

export interface OperatorKey {
  /** Recorded with every change the operator makes (operator_actions.operator). */
  name: string;
  secret: string;
}

const NAME = /^[a-z0-9_-]{1,32}$/;
export const MIN_SECRET_LENGTH = 32;

/**
 * `name:secret` pairs separated by commas. Returns the keys, or the reason the value is
 * refused (never quoting a secret: the message ends up in logs).
 */
export function parseOperatorKeys(value: string): { keys: OperatorKey[] } | { error: string } {
  const keys: OperatorKey[] = [];
  const entries = value.split(",").map((e) => e.trim());
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(":");
    const name = colon < 0 ? entry : entry.slice(0, colon);
    const secret = colon < 0 ? "" : entry.slice(colon + 1);
    const where = `entry ${index + 1}`;
    if (colon < 0) return { error: `${where} must be name:secret` };
    if (!NAME.test(name)) return { error: `${where}: the name must match [a-z0-9_-]{1,32}` };
    if (secret.length < MIN_SECRET_LENGTH || /\s/.test(secret)) {
      return {
        error: `${where} (${name}): the secret must be at least ${MIN_SECRET_LENGTH} characters, no spaces`,
      };
    }
    if (keys.some((k) => k.name === name)) return { error: `${where}: the name ${name} is given twice` };
    if (keys.some((k) => k.secret === secret))
      return { error: `${where} (${name}): the secret is used twice` };
    keys.push({ name, secret });
  }
  return { keys };
}
