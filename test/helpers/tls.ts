import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPki {
  dir: string;
  /** PEM files: a CA, a server certificate for 127.0.0.1/localhost signed by it, a client certificate. */
  files: {
    ca: string;
    serverKey: string;
    serverCert: string;
    clientKey: string;
    clientCert: string;
    clientPfx: string;
  };
  pem(name: keyof TestPki['files']): Buffer;
  cleanup(): void;
}

/** Whether openssl is on PATH. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A throwaway certificate authority made with openssl: a server certificate for 127.0.0.1 and
 * localhost, and a client certificate (PEM and a PKCS#12 file with passphrase `pfx-pass`).
 */
export function makePki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flowrun-pki-'));
  const f = (n: string) => path.join(dir, n);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=flowrun test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  const leaf = (name: string, subj: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subj,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
    );
    run(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.pem`),
    );
  };
  leaf('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', '/CN=flowrun-client', 'extendedKeyUsage=clientAuth\n');
  run(
    'pkcs12',
    '-export',
    '-inkey',
    f('client.key'),
    '-in',
    f('client.pem'),
    '-passout',
    'pass:pfx-pass',
    '-out',
    f('client.p12'),
  );
  const files = {
    ca: f('ca.pem'),
    serverKey: f('server.key'),
    serverCert: f('server.pem'),
    clientKey: f('client.key'),
    clientCert: f('client.pem'),
    clientPfx: f('client.p12'),
  };
  return {
    dir,
    files,
    pem: (name) => readFileSync(files[name]),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
