// The web chat page in headless Chromium (Debian's package), driven by playwright-core.
import { existsSync, mkdirSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { startFakeSlack } from './helpers/fake-slack.ts';
import { freePort } from './helpers/server.ts';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(executablePath);
// In CI Chromium is installed by .ci/run, so a missing browser fails there instead of skipping.
const run = available || Boolean(process.env.CI);

describe.runIf(run)('the web chat page', () => {
  let rt: Runtime;
  let server: ReturnType<typeof serve>;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    rt = await createRuntime(parseConfig({}), { memory: true, logger: { info() {}, error() {} } });
    const port = await freePort();
    server = serve({ fetch: rt.app.fetch, port, hostname: '127.0.0.1' });
    url = `http://127.0.0.1:${port}/`;
    browser = await chromium.launch({
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await rt?.close();
  });

  it('answers a typed question on a phone-sized screen, and buttons work', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    await page.goto(url);
    // The welcome message arrives with topic buttons.
    await expect.poll(() => page.locator('.bot .choices button').count()).toBeGreaterThanOrEqual(3);

    await page.fill('#text', '高研班每年办多少期？');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.locator('.msg.me').last().textContent()).toBe('高研班每年办多少期？');
    await expect
      .poll(() => page.locator('.bot').last().textContent(), { timeout: 10_000 })
      .toContain('300期');

    const bots = await page.locator('.bot').count();
    await page.locator('.bot .choices button', { hasText: '如何参加' }).last().click();
    await expect.poll(() => page.locator('.bot').count()).toBeGreaterThan(bots);
    await expect.poll(() => page.locator('.bot').last().textContent()).toContain('承办单位');

    // The answer on taking part offers to pre-register: the dialog runs on buttons and typing.
    await page.locator('.bot .choices button', { hasText: '意向预登记' }).last().click();
    await expect.poll(() => page.locator('.bot').last().textContent()).toContain('个人信息说明');
    await page.locator('.bot .choices button', { hasText: '同意并继续' }).last().click();
    await expect.poll(() => page.locator('.bot').last().textContent()).toContain('请输入您的姓名');
    await page.fill('#text', '李雷');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.locator('.bot').last().textContent()).toContain('手机号');
    // Buttons of an answered step are disabled: a menu cannot be used twice.
    expect(await page.locator('.bot .choices button', { hasText: '同意并继续' }).last().isDisabled()).toBe(
      true,
    );

    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/web-chat-zh.png', fullPage: true });

    // The toggle switches the page and the answers to English.
    await page.click('#lang');
    await expect.poll(() => page.locator('#send').textContent()).toBe('Send');
    await page.fill('#text', '高研班每年办多少期？');
    await page.click('#send');
    // Asked mid-dialog: answered in English, then the dialog asks for the phone number again.
    await expect
      .poll(() => page.locator('.bot').nth(-2).textContent(), { timeout: 10_000 })
      .toContain('300 national-level');
    await expect.poll(() => page.locator('.bot').last().textContent()).toContain('mobile number');
    await page.screenshot({ path: 'test-artifacts/web-chat-en.png', fullPage: true });
    await page.close();
  });

  it('hands the conversation to a person: staff replies appear by themselves, then the bot is back', async () => {
    const slack = await startFakeSlack();
    const staffed = await createRuntime(
      parseConfig({
        SLACK_SIGNING_SECRET: 's',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_BOT_ID: 'BBOT',
        SLACK_BOT_USER_ID: 'UBOT',
        SLACK_API_URL: slack.apiUrl,
        SLACK_HANDOFF_CHANNEL: 'C0DESK',
      }),
      { memory: true, logger: { info() {}, error() {} } },
    );
    const port = await freePort();
    const staffedServer = serve({ fetch: staffed.app.fetch, port, hostname: '127.0.0.1' });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
      await page.goto(`http://127.0.0.1:${port}/`);
      await expect.poll(() => page.locator('.bot .choices button').count()).toBeGreaterThanOrEqual(3);
      await page.fill('#text', 'I would like to talk to a person');
      await page.press('#text', 'Enter');
      await expect.poll(() => page.locator('.bot').last().textContent()).toContain('/bot');
      const cases = () =>
        staffed.db.selectFrom('handoffs').select(['id', 'desk_ref']).where('desk_ref', 'is not', null);
      await expect.poll(() => cases().executeTakeFirst()).toBeTruthy();
      const row = await cases().executeTakeFirstOrThrow();
      // A staff reply, as the Slack listener hands it over: the page shows it without a reload.
      await staffed.handoffs?.fromStaff(
        String(row.desk_ref),
        '1700000001.000100',
        'Hello, this is Wang from the office.',
      );
      await expect
        .poll(() => page.locator('.bot.staff').last().textContent(), { timeout: 10_000 })
        .toBe('Programme staff: Hello, this is Wang from the office.');
      await page.screenshot({ path: 'test-artifacts/web-chat-handoff.png', fullPage: true });
      await staffed.handoffs?.closeByStaff(String(row.id), 'resolved', 'USTAFF');
      await expect
        .poll(() => page.locator('.bot.staff').last().textContent(), { timeout: 10_000 })
        .toContain('back with the assistant');
      await page.fill('#text', 'What are the priority fields?');
      await page.press('#text', 'Enter');
      await expect
        .poll(() => page.locator('.bot').last().textContent(), { timeout: 10_000 })
        .toMatch(/field/i);
      await page.close();
    } finally {
      staffedServer.close();
      await staffed.close();
      await slack.close();
    }
  });

  it('shows the server error for a message that is too long', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await expect.poll(() => page.locator('.bot .choices button').count()).toBeGreaterThanOrEqual(3);
    // maxlength stops typing past 4,000 characters; a script can still send more.
    await page.evaluate(() => {
      const t = document.getElementById('text') as HTMLTextAreaElement;
      t.removeAttribute('maxlength');
      t.value = 'x'.repeat(4_100);
    });
    await page.click('#send');
    await expect.poll(() => page.locator('.err').last().textContent()).toContain('longer than 4000');
    await page.close();
  });
});
