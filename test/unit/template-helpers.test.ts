import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { renderString, templateRoots } from '../../src/template/render.js';
import { base32Decode, totpCode } from '../../src/template/helpers/crypto.js';
import { shiftTime, formatTime } from '../../src/template/helpers/time.js';

const r = (template: string, scope: Record<string, unknown> = {}) => renderString(template, scope);
const base32 = (text: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of Buffer.from(text)) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
};

describe('condition helpers', () => {
  const scope = {
    count: 3,
    zero: 0,
    name: 'alice',
    text: '42',
    list: [1, { a: 2 }],
    empty: [],
    obj: { a: { b: null } },
    last: { status: 200, body: { articles: [] } },
    when: '2024-05-01T10:00:00Z',
  };
  const cases: [string, unknown][] = [
    ['{{eq count 3}}', true],
    ['{{eq count "3"}}', false],
    ['{{eq obj.a (default obj.a 1)}}', true],
    ['{{eq last.status 200}}', true],
    ['{{ne name "bob"}}', true],
    ['{{ne count 3}}', false],
    ['{{gt count 0}}', true],
    ['{{gt zero 0}}', false],
    ['{{gte count 3}}', true],
    ['{{lt text 100}}', true],
    ['{{lte count 2}}', false],
    ['{{gt when "2024-04-30"}}', true],
    ['{{and (gt count 1) (eq name "alice")}}', true],
    ['{{and (gt count 1) zero}}', false],
    ['{{or zero empty name}}', true],
    ['{{or zero empty}}', false],
    ['{{not empty}}', true],
    ['{{not name}}', false],
    ['{{includes name "lic"}}', true],
    ['{{includes list 1}}', true],
    ['{{includes list 2}}', false],
    ['{{includes obj "a"}}', true],
    ['{{length list}}', 2],
    ['{{length name}}', 5],
    ['{{length obj}}', 1],
    ['{{gt (length last.body.articles) 0}}', false],
    ['{{exists count}}', true],
    ['{{exists zero}}', true],
    ['{{exists obj.a.b}}', false],
    ['{{exists missing}}', false],
    ['{{exists missing.deeper.still}}', false],
    ['{{not (exists obj.a.c)}}', true],
  ];
  for (const [template, expected] of cases) {
    it(`${template} is ${String(expected)}`, () => assert.deepEqual(r(template, scope), expected));
  }
  it('works inside text and block templates', () => {
    assert.equal(r('ok={{gt count 1}}', scope), 'ok=true');
    assert.equal(r('{{#if (exists token)}}auth{{else}}anon{{/if}}', scope), 'anon');
  });
  it('refuses what cannot be compared, with the helper and the values in the message', () => {
    assert.throws(() => r('{{gt name 1}}', scope), /gt compares numbers .*got "alice" and 1/);
    assert.throws(() => r('{{lt obj 1}}', scope), /lt compares numbers/);
    assert.throws(() => r('{{length count}}', scope), /length needs a string, a list or an object, got 3/);
    assert.throws(
      () => r('{{includes count 3}}', scope),
      /includes looks into a string, a list or an object/,
    );
    assert.throws(() => r('{{eq count}}', scope), /eq takes 2 values, got 1/);
    assert.throws(() => r('{{and count}}', scope), /and takes at least 2 values, got 1/);
  });
  it('a name tested with exists need not be known when the files are loaded', () => {
    assert.deepEqual(templateRoots('{{and (exists token) (gt count 0)}}'), ['count']);
    assert.deepEqual(templateRoots('{{exists (default token 1)}}'), ['token']);
  });
});

describe('totp (RFC 6238)', () => {
  // RFC 6238 appendix B: the seeds are ASCII; users give base32 (as authenticator apps do).
  const seeds = {
    SHA1: '12345678901234567890',
    SHA256: '12345678901234567890123456789012',
    SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
  };
  const vectors: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  for (const [time, ...codes] of vectors) {
    (['SHA1', 'SHA256', 'SHA512'] as const).forEach((algorithm, i) => {
      it(`T=${time} ${algorithm} -> ${codes[i]}`, () => {
        const scope = { secret: base32(seeds[algorithm]), ascii: seeds[algorithm] };
        assert.equal(r(`{{totp secret digits=8 algorithm="${algorithm}" time=${time}}}`, scope), codes[i]);
        assert.equal(
          r(`{{totp ascii encoding="ascii" digits=8 algorithm="${algorithm}" time=${time}}}`, scope),
          codes[i],
        );
        assert.equal(
          totpCode(Buffer.from(seeds[algorithm]), { time, digits: 8, period: 30, algorithm }),
          codes[i],
        );
      });
    });
  }
  it('is HOTP (RFC 4226 appendix D) over the time step', () => {
    const hotp = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    hotp.forEach((code, count) =>
      assert.equal(
        totpCode(Buffer.from(seeds.SHA1), { time: count, digits: 6, period: 1, algorithm: 'SHA1' }),
        code,
      ),
    );
    const hex = Buffer.from(seeds.SHA1).toString('hex');
    assert.equal(r(`{{totp "${hex}" encoding="hex" period=1 time=3}}`), '969429');
  });
  it('uses the clock, 6 digits and 30 s by default; offset moves the time', () => {
    const scope = {
      secret: base32(seeds.SHA1)
        .toLowerCase()
        .replace(/(.{4})/g, '$1 '),
    };
    mock.timers.enable({ apis: ['Date'], now: 1111111109_000 });
    try {
      assert.equal(r('{{totp secret}}', scope), '081804');
      assert.equal(r('{{totp secret offset=2}}', scope), '050471');
      assert.equal(r('{{totp secret offset="-1111111050s"}}', scope), '287082');
    } finally {
      mock.timers.reset();
    }
  });
  it('decodes base32 as RFC 4648 section 10 does', () => {
    assert.equal(base32Decode('MZXW6YTBOI======').toString(), 'foobar');
    assert.equal(base32Decode('mzxw 6ytb oi').toString(), 'foobar');
    assert.throws(
      () => r('{{totp "not base32!"}}'),
      /totp: the secret is not base32 \(invalid character "!"\)/,
    );
    assert.throws(
      () => r('{{totp "GEZDGNBV" algorithm="MD5"}}'),
      /totp: algorithm must be one of SHA1, SHA256, SHA512, got "MD5"/,
    );
    assert.throws(
      () => r('{{totp "GEZDGNBV" digits=0}}'),
      /totp: digits must be a whole number from 1 to 10, got 0/,
    );
  });
});

describe('hashing and encoding helpers', () => {
  it('sha256 (FIPS 180-2 "abc")', () => {
    const digest = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    assert.equal(r('{{sha256 "abc"}}'), digest);
    assert.equal(r('{{sha256 "abc" encoding="base64"}}'), Buffer.from(digest, 'hex').toString('base64'));
  });
  it('hmacSha256 (RFC 4231 test case 2), hex by default, base64 as an option', () => {
    const mac = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    const scope = { key: 'Jefe', body: 'what do ya want for nothing?' };
    assert.equal(r('{{hmacSha256 key body}}', scope), mac);
    assert.equal(r('sha256={{hmacSha256 key body}}', scope), `sha256=${mac}`);
    assert.equal(
      r('{{hmacSha256 key body encoding="base64"}}', scope),
      Buffer.from(mac, 'hex').toString('base64'),
    );
    assert.equal(r('{{hmacSha256 key body "base64"}}', scope), Buffer.from(mac, 'hex').toString('base64'));
    assert.throws(
      () => r('{{hmacSha256 key body encoding="b64"}}', scope),
      /encoding must be one of hex, base64, base64url, got "b64"/,
    );
  });
  it('base64 and base64url (RFC 4648 section 10)', () => {
    assert.equal(r('{{base64 "foobar"}}'), 'Zm9vYmFy');
    assert.equal(r('{{base64 "subjects?_d"}}'), 'c3ViamVjdHM/X2Q=');
    assert.equal(r('{{base64url "subjects?_d"}}'), 'c3ViamVjdHM_X2Q');
  });
  it('urlEncode: a text for a URL part, a map as a form body', () => {
    assert.equal(r('{{urlEncode q}}', { q: 'a b&c=d/é' }), 'a%20b%26c%3Dd%2F%C3%A9');
    assert.equal(
      r('{{urlEncode form}}', { form: { grant_type: 'password', user: 'a b' } }),
      'grant_type=password&user=a+b',
    );
  });
  it('randomString: length and charset', () => {
    assert.match(String(r('{{randomString 12}}')), /^[A-Za-z0-9]{12}$/);
    assert.match(String(r('{{randomString 40 charset="numeric"}}')), /^\d{40}$/);
    assert.match(String(r('{{randomString}}')), /^[A-Za-z0-9]{16}$/);
    assert.notEqual(r('{{randomString 32}}'), r('{{randomString 32}}'));
    assert.throws(
      () => r('{{randomString 0}}'),
      /randomString: the length must be a whole number from 1 to 4096, got 0/,
    );
  });
});

describe('now', () => {
  const at = Date.parse('2024-01-31T22:30:15.250Z');
  it('moves by a signed offset and formats', () => {
    mock.timers.enable({ apis: ['Date'], now: at });
    try {
      assert.equal(r('{{now}}'), '2024-01-31T22:30:15.250Z');
      assert.equal(r('{{now "+1d"}}'), '2024-02-01T22:30:15.250Z');
      assert.equal(r('{{now "-2h30m"}}'), '2024-01-31T20:00:15.250Z');
      assert.equal(r('{{now 1000}}'), '2024-01-31T22:30:16.250Z');
      assert.equal(r('{{now "+1mo"}}'), '2024-02-29T22:30:15.250Z');
      assert.equal(r('{{now "-1y" format="date"}}'), '2023-01-31');
      assert.equal(r('{{now format="epoch"}}'), Math.floor(at / 1000));
      assert.equal(r('{{now "+1s" format="epochMs"}}'), at + 1000);
      assert.equal(r('{{now "+1w" format="DD.MM.YYYY HH:mm:ss.SSS"}}'), '07.02.2024 22:30:15.250');
      assert.equal(r('{{timestamp}}'), at);
    } finally {
      mock.timers.reset();
    }
  });
  it('refuses an unreadable offset or format', () => {
    assert.throws(() => r('{{now "tomorrow"}}'), /invalid time offset "tomorrow"/);
    assert.throws(
      () => r('{{now format="isoo"}}'),
      /now: format must be iso, epoch, epochMs, date or a pattern/,
    );
    assert.equal(shiftTime(0, '+1h -30m'), 1_800_000);
    assert.equal(formatTime(0, 'YYYY'), '1970');
  });
});
