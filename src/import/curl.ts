import { UsageError } from '../errors.js';
import type { ImportResult } from './output.js';

/**
 * Splits a shell command line into words the way a POSIX shell would for a pasted curl command:
 * single quotes literal, double quotes with backslash escapes, backslash-newline continuations,
 * and bash's $'...' strings (what browsers' "Copy as cURL (bash)" produces).
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && line[i + 1] === '\n') {
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new UsageError('unterminated single quote in the curl command');
      word += line.slice(i + 1, end);
      i = end;
    } else if (ch === '$' && line[i + 1] === "'") {
      i += 2;
      while (i < line.length && line[i] !== "'") {
        if (line[i] === '\\' && i + 1 < line.length) {
          const next = line[++i];
          word +=
            ({ n: '\n', t: '\t', r: '\r', "'": "'", '\\': '\\', '"': '"' } as Record<string, string>)[next] ??
            `\\${next}`;
        } else word += line[i];
        i++;
      }
    } else if (ch === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && /["\\$`\n]/.test(line[i + 1] ?? '')) i++;
        word += line[i];
        i++;
      }
      if (i >= line.length) throw new UsageError('unterminated double quote in the curl command');
    } else if (ch === '\\' && i + 1 < line.length) word += line[++i];
    else word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

const WITH_VALUE = new Set([
  '-X',
  '--request',
  '-H',
  '--header',
  '-d',
  '--data',
  '--data-raw',
  '--data-binary',
  '--data-ascii',
  '--data-urlencode',
  '--json',
  '-F',
  '--form',
  '--form-string',
  '-u',
  '--user',
  '-b',
  '--cookie',
  '-A',
  '--user-agent',
  '-e',
  '--referer',
  '--url',
  '-m',
  '--max-time',
  '--connect-timeout',
  '-o',
  '--output',
  '-x',
  '--proxy',
  '-w',
  '--write-out',
  '--retry',
  '-T',
  '--upload-file',
  '-c',
  '--cookie-jar',
]);
const IGNORED = new Set([
  '-s',
  '--silent',
  '-S',
  '--show-error',
  '-i',
  '--include',
  '-v',
  '--verbose',
  '-L',
  '--location',
  '--compressed',
  '-f',
  '--fail',
  '-sS',
  '-sSL',
  '-sL',
  '-g',
  '--globoff',
  '--http1.1',
  '--http2',
  '-N',
  '--no-buffer',
]);

/** `flowrun import curl '<command>'`: one http step (method, URL, headers, body, basic auth, -k). */
export function importCurl(command: string): ImportResult & { step: Record<string, unknown> } {
  const words = shellWords(command.trim());
  if (words[0] === 'curl') words.shift();
  const notes: string[] = [];
  let method: string | undefined;
  let url: string | undefined;
  const headers: Record<string, string> = {};
  const data: { text: string; kind: 'data' | 'urlencode' | 'json' }[] = [];
  const form: string[] = [];
  let insecure = false;
  let asQuery = false;
  let timeout: string | undefined;
  for (let i = 0; i < words.length; i++) {
    let flag = words[i];
    let value: string | undefined;
    const eq = flag.startsWith('--') ? flag.indexOf('=') : -1;
    if (eq > 0 && WITH_VALUE.has(flag.slice(0, eq))) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    } else if (/^-[A-Za-z]./.test(flag) && WITH_VALUE.has(flag.slice(0, 2)) && !IGNORED.has(flag)) {
      value = flag.slice(2);
      flag = flag.slice(0, 2);
    } else if (WITH_VALUE.has(flag)) value = words[++i];
    if (WITH_VALUE.has(flag) && value === undefined)
      throw new UsageError(`curl option ${flag} needs a value`);
    switch (flag) {
      case '-X':
      case '--request':
        method = value!.toUpperCase();
        break;
      case '-H':
      case '--header': {
        const colon = value!.indexOf(':');
        if (colon > 0) headers[value!.slice(0, colon).trim()] = value!.slice(colon + 1).trim();
        else notes.push(`header "${value}" has no value: not translated`);
        break;
      }
      case '-d':
      case '--data':
      case '--data-raw':
      case '--data-binary':
      case '--data-ascii':
        if (value!.startsWith('@') && flag !== '--data-raw')
          notes.push(`${flag} ${value}: reading a file is not translated`);
        else data.push({ text: value!, kind: 'data' });
        break;
      case '--data-urlencode':
        data.push({ text: value!, kind: 'urlencode' });
        break;
      case '--json':
        data.push({ text: value!, kind: 'json' });
        break;
      case '-F':
      case '--form':
      case '--form-string':
        form.push(value!);
        break;
      case '-u':
      case '--user':
        headers.Authorization = `Basic ${Buffer.from(value!.includes(':') ? value! : `${value}:`).toString('base64')}`;
        break;
      case '-b':
      case '--cookie':
        if (value!.includes('=')) headers.Cookie = value!;
        else notes.push(`--cookie ${value}: a cookie file is not translated`);
        break;
      case '-A':
      case '--user-agent':
        headers['User-Agent'] = value!;
        break;
      case '-e':
      case '--referer':
        headers.Referer = value!;
        break;
      case '--url':
        url = value;
        break;
      case '-m':
      case '--max-time':
        timeout = `${value}s`;
        break;
      case '-k':
      case '--insecure':
        insecure = true;
        break;
      case '-G':
      case '--get':
        asQuery = true;
        break;
      case '-I':
      case '--head':
        method = 'HEAD';
        break;
      default:
        if (!flag.startsWith('-')) url = flag;
        else if (!IGNORED.has(flag))
          notes.push(`${flag}${WITH_VALUE.has(flag) ? ` ${value}` : ''}: not translated`);
    }
  }
  if (!url) throw new UsageError('the curl command has no URL');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `http://${url}`;
  const http: Record<string, unknown> = {};
  const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  if (data.length && asQuery) {
    const u = new URL(url);
    for (const d of data) for (const [k, v] of new URLSearchParams(d.text)) u.searchParams.append(k, v);
    url = u.toString();
  } else if (data.length) {
    const text = data.map((d) => (d.kind === 'urlencode' ? encodeUrlencode(d.text) : d.text)).join('&');
    const json = data.some((d) => d.kind === 'json') || /json/i.test(contentType);
    if (json) {
      try {
        http.json = JSON.parse(text);
        dropHeader(headers, 'content-type', /^application\/json\s*$/i);
      } catch {
        http.body = text;
      }
    } else if (!contentType || /x-www-form-urlencoded/i.test(contentType)) {
      http.form = Object.fromEntries(new URLSearchParams(text));
      dropHeader(headers, 'content-type', /x-www-form-urlencoded/i);
    } else http.body = text;
  }
  if (form.length) notes.push(`-F ${form.join(' -F ')}: multipart forms are not translated`);
  const resolvedMethod = method ?? (data.length && !asQuery ? 'POST' : 'GET');
  const step: Record<string, unknown> = {
    name: `${resolvedMethod} ${safePath(url)}`,
    http: {
      method: resolvedMethod,
      url,
      ...(Object.keys(headers).length ? { headers } : {}),
      ...http,
      ...(insecure ? { insecure: true } : {}),
      ...(timeout ? { timeout } : {}),
    },
  };
  return { step, files: [], notes };
}

function encodeUrlencode(text: string): string {
  const eq = text.indexOf('=');
  if (eq < 0) return encodeURIComponent(text);
  return `${text.slice(0, eq)}=${encodeURIComponent(text.slice(eq + 1))}`;
}

function dropHeader(headers: Record<string, string>, name: string, when: RegExp): void {
  for (const k of Object.keys(headers))
    if (k.toLowerCase() === name && when.test(headers[k])) delete headers[k];
}

const safePath = (url: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};
