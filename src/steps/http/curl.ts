const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A runnable curl command for a request (headers and body as given: mask before calling). */
export function toCurl(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
  bodyOptions?: string[],
): string {
  const parts = ['curl', '-sS', '-i'];
  if (method !== 'GET' || body !== undefined || bodyOptions) parts.push('-X', method);
  parts.push(quote(url));
  for (const [k, v] of Object.entries(headers)) parts.push('-H', quote(`${k}: ${v}`));
  if (bodyOptions) parts.push(...bodyOptions);
  else if (body !== undefined && body !== '') parts.push('--data-raw', quote(body));
  return parts.join(' ');
}
