// The WeChat test helpers themselves: safe-mode crypto against published vectors and its 32-byte
// padding, the fake API's tokens, limits and menu checks over real HTTP, and the user client against a
// small reference bot written here.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeWeChat, startFakeWeChat } from './helpers/fake-wechat.ts';
import { cdata, wechatDecrypt, wechatEncrypt, wechatSignature, xmlField } from './helpers/wechat-crypto.ts';
import { wechatUser } from './helpers/wechat-user.ts';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx1234567890abcdef';
const SECRET = 'app-secret-for-tests';

/** AES-256-CBC with WeChat's key and IV but no padding added: to build hostile ciphertexts. */
const encryptRaw = (aesKey43: string, plain: Buffer) => {
  const key = Buffer.from(`${aesKey43}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
};
const decryptRaw = (aesKey43: string, encrypted: string) => {
  const key = Buffer.from(`${aesKey43}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
};
/** random(16) + length(4) + message + appId, as WeChat lays out the plaintext. */
const layout = (message: string, appId = APP_ID) => {
  const msg = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length);
  return Buffer.concat([Buffer.alloc(16, 7), length, msg, Buffer.from(appId)]);
};

describe('WeChat signatures', () => {
  it('sorts and hashes as the documentation shows', () => {
    // The platform's guide (消息加解密说明): Token "AAAAA", sorted ["1714037059","486452656","AAAAA"].
    const byHand = createHash('sha1').update('1714037059486452656AAAAA').digest('hex');
    expect(byHand).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
    expect(wechatSignature('AAAAA', '1714037059', '486452656')).toBe(byHand);
    // Order of the arguments does not matter, only the sorted strings.
    expect(wechatSignature('token', '1700000000', '42')).toBe(
      createHash('sha1').update(['1700000000', '42', 'token'].sort().join('')).digest('hex'),
    );
    expect(wechatSignature('b', 'c', 'a', 'd')).toBe(createHash('sha1').update('abcd').digest('hex'));
  });

  it("matches Tencent's published sample (msg_signature and decryption)", () => {
    // WXBizMsgCrypt sample: Token QDG6eK, EncodingAESKey jWmYm7…, receive id wx5823bf96d3bd56c7.
    const key = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
    const encrypt =
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/' +
      'sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZ' +
      'fJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3L' +
      'AVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28' +
      'H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
    expect(wechatSignature('QDG6eK', '1409659813', '1372623149', encrypt)).toBe(
      '477715d11cdb4164915debcba66cb864d751f3e6',
    );
    const { xml, appId, pad } = wechatDecrypt(key, encrypt);
    expect(appId).toBe('wx5823bf96d3bd56c7');
    expect(xmlField(xml, 'MsgType')).toBe('text');
    expect(xmlField(xml, 'Content')).toBe('hello');
    // Real ciphertext padded to 32-byte blocks: 30 bytes of padding, more than PKCS#7's 16 allows.
    expect(pad).toBe(30);
    // The same sample's URL check: a signed, encrypted echostr.
    const echostr =
      'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';
    expect(wechatSignature('QDG6eK', '1409659589', '263014780', echostr)).toBe(
      '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    );
    expect(wechatDecrypt(key, echostr).xml).toBe('1616140317555161061');
  });
});

describe('WeChat safe-mode crypto', () => {
  it('round-trips every pad length 1..32, padding to 32-byte blocks', () => {
    const pads = new Set<number>();
    for (let n = 0; n < 32; n++) {
      const message = `<xml>${'x'.repeat(n)}</xml>`;
      const encrypted = wechatEncrypt(AES_KEY, APP_ID, message);
      const plain = decryptRaw(AES_KEY, encrypted);
      expect(plain.length % 32).toBe(0);
      const pad = plain[plain.length - 1] as number;
      expect(pad).toBe(32 - (layout(message).length % 32));
      expect(plain.subarray(plain.length - pad).every((b) => b === pad)).toBe(true);
      pads.add(pad);
      expect(wechatDecrypt(AES_KEY, encrypted)).toEqual({ xml: message, appId: APP_ID, pad });
    }
    expect([...pads].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  it('needs more than PKCS#7 with 16-byte blocks to read a pad of 17..32', () => {
    // The layout is 16 + 4 + 5 + 18 = 43 bytes: pad 21. A plain PKCS#7 decrypt (what WebCrypto's
    // AES-CBC does) refuses it; the bot must strip WeChat's padding itself.
    const encrypted = wechatEncrypt(AES_KEY, APP_ID, 'hello');
    expect(wechatDecrypt(AES_KEY, encrypted).pad).toBe(21);
    const key = Buffer.from(`${AES_KEY}=`, 'base64');
    const pkcs7 = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    expect(() => Buffer.concat([pkcs7.update(Buffer.from(encrypted, 'base64')), pkcs7.final()])).toThrow();
  });

  it('is deterministic for a given random prefix and counts the length in UTF-8 bytes', () => {
    const random = Buffer.alloc(16, 7);
    const message = '<xml><Content><![CDATA[继续教育学时]]></Content></xml>';
    const a = wechatEncrypt(AES_KEY, APP_ID, message, random);
    expect(wechatEncrypt(AES_KEY, APP_ID, message, random)).toBe(a);
    expect(wechatEncrypt(AES_KEY, APP_ID, message)).not.toBe(a);
    const plain = decryptRaw(AES_KEY, a);
    expect(plain.subarray(0, 16)).toEqual(random);
    expect(plain.readUInt32BE(16)).toBe(Buffer.byteLength(message));
    expect(wechatDecrypt(AES_KEY, a).xml).toBe(message);
  });

  it('refuses bad padding, lengths, base64 and keys', () => {
    const body = layout('<xml/>'); // 16 + 4 + 6 + 18 = 44 bytes
    const padded = (pad: number, fill = pad) =>
      Buffer.concat([body, Buffer.alloc(pad - 1, fill), Buffer.from([pad])]);
    expect(wechatDecrypt(AES_KEY, encryptRaw(AES_KEY, padded(20))).xml).toBe('<xml/>');
    // Pad 4 (PKCS#7 to 16 bytes, as WebCrypto would write) is still read, as WeChat's decoder does.
    expect(wechatDecrypt(AES_KEY, encryptRaw(AES_KEY, padded(4))).pad).toBe(4);
    expect(() =>
      wechatDecrypt(AES_KEY, encryptRaw(AES_KEY, Buffer.concat([body, Buffer.alloc(20, 0)]))),
    ).toThrow(/padding value 0/);
    expect(() =>
      wechatDecrypt(
        AES_KEY,
        encryptRaw(AES_KEY, Buffer.concat([body.subarray(0, 31), Buffer.alloc(33, 33)])),
      ),
    ).toThrow(/padding value 33/);
    expect(() => wechatDecrypt(AES_KEY, encryptRaw(AES_KEY, padded(20, 19)))).toThrow(/padding bytes/);
    // A length field that runs past the data.
    const long = Buffer.from(body);
    long.writeUInt32BE(1000, 16);
    expect(() =>
      wechatDecrypt(AES_KEY, encryptRaw(AES_KEY, Buffer.concat([long, Buffer.alloc(20, 20)]))),
    ).toThrow(/runs past/);
    expect(() => wechatDecrypt(AES_KEY, encryptRaw(AES_KEY, Buffer.alloc(32, 32)))).toThrow(/shorter/);
    expect(() => wechatDecrypt(AES_KEY, Buffer.alloc(20).toString('base64'))).toThrow(/AES blocks/);
    expect(() => wechatDecrypt(AES_KEY, 'not base64!')).toThrow(/base64/);
    expect(() => wechatDecrypt(AES_KEY, '')).toThrow();
    expect(() => wechatEncrypt('short', APP_ID, '<xml/>')).toThrow(/43/);
    // Another key: garbage padding (checked with a fixed prefix, so the outcome is fixed).
    const other = wechatEncrypt(
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg',
      APP_ID,
      '<xml/>',
      Buffer.alloc(16),
    );
    expect(() => wechatDecrypt(AES_KEY, other)).toThrow();
  });
});

describe('WeChat XML fields', () => {
  it('reads CDATA, plain text and split CDATA, not tags inside other CDATA', () => {
    const content = 'a]]>b <MsgType>text</MsgType> & c';
    const xml = `<xml><Content>${cdata(content)}</Content><MsgType>${cdata('text')}</MsgType><CreateTime>1700000000</CreateTime><Label>&lt;x&gt; &amp;&#20013;</Label></xml>`;
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    expect(xmlField(xml, 'Content')).toBe(content);
    expect(xmlField(xml, 'MsgType')).toBe('text');
    expect(xmlField(xml, 'CreateTime')).toBe('1700000000');
    expect(xmlField(xml, 'Label')).toBe('<x> &中');
    expect(xmlField(xml, 'MsgId')).toBeUndefined();
    expect(xmlField('<xml><Content><![CDATA[<MsgId>1</MsgId>]]></Content></xml>', 'MsgId')).toBeUndefined();
    expect(xmlField('<xml><Event/></xml>', 'Event')).toBe('');
  });
});

describe('fake WeChat API', () => {
  let fake: FakeWeChat;
  const outsideWindow = new Set(['o_outside']);
  beforeAll(async () => {
    fake = await startFakeWeChat({ appId: APP_ID, appSecret: SECRET, outsideWindow });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  const getToken = async (appid = APP_ID, secret = SECRET) =>
    (await (
      await fetch(
        `${fake.apiRoot}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`,
      )
    ).json()) as Record<string, unknown>;
  const stable = async (force_refresh = false) =>
    (await (
      await fetch(`${fake.apiRoot}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({
          grant_type: 'client_credential',
          appid: APP_ID,
          secret: SECRET,
          force_refresh,
        }),
      })
    ).json()) as Record<string, unknown>;
  const post = async (path: string, token: unknown, body: unknown) =>
    (await (
      await fetch(`${fake.apiRoot}/cgi-bin/${path}?access_token=${String(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, unknown>;
  const sendText = (token: unknown, content: string, touser = 'o_user') =>
    post('message/custom/send', token, { touser, msgtype: 'text', text: { content } });

  it('issues tokens for the right credentials only; a new one retires the old after 5 minutes', async () => {
    expect(await getToken('wx_wrong')).toEqual({ errcode: 40013, errmsg: 'invalid appid' });
    expect(await getToken(APP_ID, 'wrong')).toEqual({ errcode: 40125, errmsg: 'invalid appsecret' });
    const before = fake.tokensIssued;
    const first = await getToken();
    expect(first.expires_in).toBe(7200);
    expect(String(first.access_token).length).toBeGreaterThan(100);
    const second = await getToken();
    expect(fake.tokensIssued).toBe(before + 2);
    expect(await sendText(first.access_token, 'old token, within the grace')).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 6 * 60_000);
    expect((await sendText(first.access_token, 'x')).errcode).toBe(40001);
    expect((await sendText(second.access_token, 'x')).errcode).toBe(0);
    vi.setSystemTime(Date.now() + 7200_000);
    expect(await sendText(second.access_token, 'x')).toEqual({
      errcode: 42001,
      errmsg: 'access_token expired',
    });
    expect((await sendText('made-up', 'x')).errcode).toBe(40001);
    expect((await post('message/custom/send', '', {})).errcode).toBe(41001);
  });

  it('keeps one stable token until it expires or is force-refreshed', async () => {
    const before = fake.tokensIssued;
    const a = await stable();
    const b = await stable();
    expect(b.access_token).toBe(a.access_token);
    expect(fake.tokensIssued).toBe(before + 1);
    const forced = await stable(true);
    expect(forced.access_token).not.toBe(a.access_token);
    expect((await sendText(a.access_token, 'x')).errcode).toBe(40001);
    // A second force within 30 s does not refresh.
    expect((await stable(true)).access_token).toBe(forced.access_token);
    fake.expireTokens();
    expect((await sendText(forced.access_token, 'x')).errcode).toBe(42001);
    const renewed = await stable();
    expect(renewed.access_token).not.toBe(forced.access_token);
    expect(renewed.expires_in).toBe(7200);
    const refused = await fetch(`${fake.apiRoot}/cgi-bin/stable_token`);
    expect(await refused.json()).toEqual({ errcode: 43002, errmsg: 'require POST method' });
  });

  it('fails the next call on demand, then answers normally', async () => {
    const { access_token: token } = await stable();
    fake.failNext(
      40001,
      'invalid credential, access_token is invalid or not latest',
      '/cgi-bin/message/custom/send',
    );
    expect((await stable()).access_token).toBe(token); // another path: not failed
    expect((await sendText(token, 'first try')).errcode).toBe(40001);
    expect((await sendText(token, 'second try')).errcode).toBe(0);
    fake.failNext(-1, 'system error');
    expect(await stable()).toEqual({ errcode: -1, errmsg: 'system error' });
    expect(fake.calls.at(-1)?.path).toBe('/cgi-bin/stable_token');
    expect(fake.textsTo('o_user').slice(-1)).toEqual(['second try']);
  });

  it('limits customer-service text to 2048 bytes of UTF-8 and checks the window', async () => {
    const { access_token: token } = await stable();
    const sentBefore = fake.sent.length;
    expect(Buffer.byteLength('学'.repeat(682))).toBe(2046);
    expect((await sendText(token, '学'.repeat(682))).errcode).toBe(0);
    expect(await sendText(token, '学'.repeat(683))).toEqual({
      errcode: 45002,
      errmsg: 'content size out of limit',
    });
    expect((await sendText(token, 'a'.repeat(2048))).errcode).toBe(0);
    expect((await sendText(token, 'a'.repeat(2049))).errcode).toBe(45002);
    expect((await sendText(token, '')).errcode).toBe(44004);
    expect(
      (await post('message/custom/send', token, { msgtype: 'text', text: { content: 'x' } })).errcode,
    ).toBe(40003);
    expect((await sendText(token, 'late', 'o_outside')).errcode).toBe(45015);
    const menu = { head_content: '您想了解：', list: [{ id: 'm1', content: '报名' }], tail_content: '' };
    expect(
      (await post('message/custom/send', token, { touser: 'o_user', msgtype: 'msgmenu', msgmenu: menu }))
        .errcode,
    ).toBe(0);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ id: `m${i}`, content: `item ${i}` }));
    expect(
      (
        await post('message/custom/send', token, {
          touser: 'o_user',
          msgtype: 'msgmenu',
          msgmenu: { list: eleven },
        })
      ).errcode,
    ).toBe(47001);
    expect((await post('message/custom/send', token, { touser: 'o_user', msgtype: 'image' })).errcode).toBe(
      40008,
    );
    const accepted = fake.sent.slice(sentBefore);
    expect(accepted.map((s) => s.msgtype)).toEqual(['text', 'text', 'msgmenu']);
    expect(accepted[2]?.msgmenu).toEqual(menu);
    expect(accepted[0]).toMatchObject({ touser: 'o_user', text: { content: '学'.repeat(682) } });
  });

  it('validates menus like menu/create', async () => {
    const { access_token: token } = await stable();
    const create = (button: unknown) => post('menu/create', token, { button });
    const click = (name: string, key = 'K') => ({ type: 'click', name, key });
    const good = [
      click('报名'),
      { type: 'view', name: '官网', url: 'https://example.com/' },
      { name: '更多', sub_button: [click('学时查询'), click('联系客服'), click('证书打印')] },
    ];
    expect(await create(good)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(fake.menus.at(-1)).toEqual({ button: good });
    const menusBefore = fake.menus.length;
    expect(await create([])).toEqual({ errcode: 40016, errmsg: 'invalid button size' });
    expect((await create([click('a'), click('b'), click('c'), click('d')])).errcode).toBe(40016);
    expect(await create([{ type: 'bogus', name: 'x' }])).toEqual({
      errcode: 40017,
      errmsg: 'invalid button type',
    });
    expect(await create([click('继续教育学时')])).toEqual({
      errcode: 40018,
      errmsg: 'invalid button name size',
    });
    expect((await create([click('四个汉字')])).errcode).toBe(0); // 12 bytes
    expect(await create([{ type: 'click', name: 'k' }])).toEqual({
      errcode: 40019,
      errmsg: 'invalid button key size',
    });
    expect((await create([click('k', 'k'.repeat(129))])).errcode).toBe(40019);
    expect((await create([{ type: 'view', name: 'v' }])).errcode).toBe(40020);
    const six = Array.from({ length: 6 }, (_, i) => click(`s${i}`));
    expect((await create([{ name: 'subs', sub_button: six }])).errcode).toBe(40023);
    expect((await create([{ name: 'subs', sub_button: [click('二'.repeat(21))] }])).errcode).toBe(40025);
    expect((await create([{ name: 'subs', sub_button: [click('二'.repeat(20))] }])).errcode).toBe(0); // 60 bytes
    expect(fake.menus.length).toBe(menusBefore + 2);
  });

  it('enforces the customer-service quota when asked', async () => {
    const strict = await startFakeWeChat({ appId: APP_ID, appSecret: SECRET, enforceQuota: true });
    try {
      const { access_token: token } = (await (
        await fetch(`${strict.apiRoot}/cgi-bin/stable_token`, {
          method: 'POST',
          body: JSON.stringify({ grant_type: 'client_credential', appid: APP_ID, secret: SECRET }),
        })
      ).json()) as { access_token: string };
      const send = async () =>
        (await (
          await fetch(`${strict.apiRoot}/cgi-bin/message/custom/send?access_token=${token}`, {
            method: 'POST',
            body: JSON.stringify({ touser: 'o_q', msgtype: 'text', text: { content: 'hi' } }),
          })
        ).json()) as { errcode: number };
      expect((await send()).errcode).toBe(45015);
      strict.userActed('o_q', 'message');
      for (let i = 0; i < 5; i++) expect((await send()).errcode).toBe(0);
      expect((await send()).errcode).toBe(45047);
      strict.userActed('o_q', 'unsubscribe');
      expect((await send()).errcode).toBe(45015);
    } finally {
      await strict.close();
    }
  });
});

/**
 * A small reference bot built from the same documentation: verifies signatures, decrypts in safe
 * mode and answers with a text reply chosen by `answer` (or 'success').
 */
async function referenceBot(opts: {
  token: string;
  appId: string;
  aesKey?: string;
  answer: (xml: string) => string;
}) {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const q = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
    if (wechatSignature(opts.token, q.timestamp ?? '', q.nonce ?? '') !== q.signature) {
      res.writeHead(403).end('bad signature');
      return;
    }
    if (req.method === 'GET') {
      res.end(q.echostr);
      return;
    }
    let xml = Buffer.concat(chunks).toString('utf8');
    if (opts.aesKey) {
      const encrypt = xmlField(xml, 'Encrypt') ?? '';
      if (wechatSignature(opts.token, q.timestamp ?? '', q.nonce ?? '', encrypt) !== q.msg_signature) {
        res.writeHead(403).end('bad msg_signature');
        return;
      }
      xml = wechatDecrypt(opts.aesKey, encrypt).xml;
    }
    const reply = opts.answer(xml);
    if (!opts.aesKey || reply === 'success') {
      res.end(reply);
      return;
    }
    const encrypt = wechatEncrypt(opts.aesKey, opts.appId, reply);
    const [timestamp, nonce] = ['1700000000', '123456'];
    const signature = wechatSignature(opts.token, timestamp, nonce, encrypt);
    res.end(
      `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
        `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const textReply = (to: string, from: string, content: string, extra = '') =>
  `<xml><ToUserName>${cdata(to)}</ToUserName><FromUserName>${cdata(from)}</FromUserName>` +
  `<CreateTime>1700000000</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content>${extra}</xml>`;

describe.each([
  ['plain mode', undefined],
  ['safe mode', AES_KEY],
])('WeChat user client, %s', (_mode, aesKey) => {
  const TOKEN = 'wechat-token';
  const BOT_ID = 'gh_0123456789ab';
  /** The reference bot echoes text; `bad:` content makes a reply WeChat would refuse. */
  let bot: Awaited<ReturnType<typeof referenceBot>>;
  beforeAll(async () => {
    bot = await referenceBot({
      token: TOKEN,
      appId: APP_ID,
      aesKey,
      answer: (xml) => {
        const from = xmlField(xml, 'FromUserName') ?? '';
        if (xmlField(xml, 'MsgType') !== 'text') return 'success';
        const content = xmlField(xml, 'Content') ?? '';
        if (content === 'bad:to') return textReply('someone_else', BOT_ID, 'hi');
        if (content === 'bad:long') return textReply(from, BOT_ID, '长'.repeat(683));
        if (content === 'bad:extra') return textReply(from, BOT_ID, 'hi', '<FuncFlag>0</FuncFlag>');
        const menu = xmlField(xml, 'bizmsgmenuid');
        return textReply(from, BOT_ID, `echo:${content}${menu ? `#${menu}` : ''}`);
      },
    });
  });
  afterAll(() => bot.close());

  const user = () => wechatUser({ url: bot.url, token: TOKEN, appId: APP_ID, aesKey, botId: BOT_ID });

  it('signs its requests and reads the reply', async () => {
    const u = user();
    expect(await u.verify('echo-123')).toEqual({ status: 200, body: 'echo-123' });
    expect((await u.verify('x', { signature: 'forged' })).status).toBe(403);
    const tricky = 'a]]>b <Content>x</Content> 你好';
    const r = await u.text('o_alice', tricky);
    expect(r.status).toBe(200);
    expect(r.reply).toMatchObject({
      msgType: 'text',
      content: `echo:${tricky}`,
      toUser: 'o_alice',
      fromUser: BOT_ID,
    });
    expect((await u.text('o_alice', '满意', { bizmsgmenuid: 101 })).reply?.content).toBe('echo:满意#101');
    const ev = await u.event('o_alice', 'subscribe');
    expect(ev.body).toBe('success');
    expect(ev.reply).toBeUndefined();
    expect((await u.media('o_alice', 'image')).reply).toBeUndefined();
    expect(u.problems).toEqual([]);
    const raw = await u.raw('<xml>garbage', { signature: 'forged' });
    expect(raw.status).toBe(403);
    expect(u.problems).toEqual([]);
  });

  it('collects what WeChat would refuse in a reply', async () => {
    const u = user();
    await u.text('o_bob', 'bad:to');
    await u.text('o_bob', 'bad:long');
    await u.text('o_bob', 'bad:extra');
    expect(u.problems).toHaveLength(3);
    expect(u.problems[0]).toMatch(/ToUserName is someone_else/);
    expect(u.problems[1]).toMatch(/2049 bytes/);
    expect(u.problems[2]).toMatch(/FuncFlag/);
  });
});

describe('WeChat user client, safe-mode reply checks', () => {
  it('throws on a wrong MsgSignature or AppId, and flags a plaintext reply', async () => {
    let body = '';
    const server = http.createServer((_req, res) => {
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat`;
    try {
      const u = wechatUser({ url, token: 't', appId: APP_ID, aesKey: AES_KEY, botId: 'gh_x' });
      const wrapped = (encrypt: string, signature: string) =>
        `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature><TimeStamp>1</TimeStamp><Nonce>${cdata('2')}</Nonce></xml>`;
      const inner = textReply('o_c', 'gh_x', 'hi');
      const encrypt = wechatEncrypt(AES_KEY, APP_ID, inner);
      body = wrapped(encrypt, 'f'.repeat(40));
      await expect(u.text('o_c', 'hi')).rejects.toThrow(/MsgSignature/);
      const foreign = wechatEncrypt(AES_KEY, 'wx_other', inner);
      body = wrapped(foreign, wechatSignature('t', '1', '2', foreign));
      await expect(u.text('o_c', 'hi')).rejects.toThrow(/wx_other/);
      body = wrapped(encrypt, wechatSignature('t', '1', '2', encrypt));
      expect((await u.text('o_c', 'hi')).reply?.content).toBe('hi');
      expect(u.problems).toEqual([]);
      body = inner;
      await u.text('o_c', 'hi');
      expect(u.problems).toEqual([expect.stringMatching(/must be encrypted/)]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
