/** Replaces secrets in a text. */
export type Redactor = (text: string) => string;

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not redacted (they would garble every message; no real key is that short). */
const MIN_SECRET_LENGTH = 4;

/** Header names whose values are credentials. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'api-key', 'x-api-key']);

/**
 * Returns a {@link Redactor} that replaces every occurrence of each secret, as written and
 * percent-encoded (as it would appear in a URL), with {@link REDACTED}. Every message the transport
 * builds goes through one, so a key never reaches an error or a log line, even when a server echoes
 * it or a user put it in a query parameter.
 */
export function secretRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => {
    let result = text;
    for (const form of ordered) result = result.split(form).join(REDACTED);
    return result;
  };
}

/**
 * The secrets carried by handshake headers: the whole value of every credential header
 * (`Authorization`, `Proxy-Authorization`, `api-key`, `x-api-key`) and its token after the scheme.
 */
export function headerSecrets(headers: Record<string, string>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    secrets.push(value);
    const space = value.indexOf(' ');
    if (space > 0) secrets.push(value.slice(space + 1).trim());
  }
  return secrets;
}

/** The URL as shown in messages: without `user:password@`. */
export function displayUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}
