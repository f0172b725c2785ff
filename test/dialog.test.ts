// The registration, eligibility and forget dialogs end to end over POST /api/chat, on PGlite and
// on Postgres.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFlow } from '../src/core/dialog/flows.ts';
import { answers, chatter, fillRegistration } from './helpers/chat.ts';
import { backends } from './helpers/db.ts';
import { openRuntime, type TestRuntime } from './helpers/runtime.ts';

let n = 0;
const uid = (name: string) => `${name}-${process.pid}-${n++}`;

describe.each(backends)('registration dialog on %s', (backend) => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await openRuntime(backend);
  });
  afterAll(() => t?.close());

  const registrations = (conversationId: string) =>
    t.rt.db.selectFrom('registrations').selectAll().where('conversation_id', '=', conversationId).execute();

  it('registers in Chinese, step by step, reporting kind and field', async () => {
    const chat = chatter(t.rt.app, uid('zh'));
    const fields: (string | undefined)[] = [];
    let turn = await chat.say('我要报名');
    expect(turn.meta).toMatchObject({ kind: 'dialog', field: 'consent', lang: 'zh' });
    expect(turn.text).toContain('个人信息');
    expect(turn.text).toContain('/forget');
    expect(turn.text).toContain('不代表录取');
    for (const a of answers.zh.slice(1)) {
      turn = a.startsWith('d:') ? await chat.pick(a) : await chat.say(a);
      fields.push(turn.meta.field);
    }
    expect(fields).toEqual([
      'name',
      'phone',
      'email',
      'organization',
      'title',
      'field',
      'subproject',
      'province',
      'experience',
      'confirm',
    ]);
    // The review card lists every answer, with phone and email masked.
    expect(turn.text).toContain('张伟');
    expect(turn.text).toContain('138****5678');
    expect(turn.text).not.toContain('13812345678');
    expect(turn.text).toContain('z***@example.com');
    for (const shown of ['中国科学院', '副高级', '新材料', '高级研修项目', '上海', '11–20年'])
      expect(turn.text).toContain(shown);
    expect(turn.choiceIds).toContain('d:review:confirm');
    expect(turn.choiceIds).toContain('d:review:edit:phone');

    const done = await chat.pick('d:review:confirm');
    expect(done.meta.kind).toBe('dialog');
    expect(done.meta.field).toBeUndefined();
    const ref = /KUP-[2-9A-HJ-NP-Z]{6}/.exec(done.text)?.[0];
    expect(ref).toBeDefined();
    expect(done.text).toContain('不代表录取');
  });

  it('registers in English and stores exactly what was entered', async () => {
    const id = uid('en');
    const chat = chatter(t.rt.app, id);
    const review = await fillRegistration(chat, 'en');
    expect(review.meta).toMatchObject({ kind: 'dialog', field: 'confirm', lang: 'en' });
    expect(review.text).toContain('(skipped)');
    const done = await chat.pick('d:review:confirm');
    expect(done.text).toMatch(/reference number is KUP-/);
    expect(done.text).toMatch(/not admission/);
    const rows = await registrations(`web:${id}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel: 'web',
      name: 'Li Na',
      phone: '13912345678',
      email: null,
      organization: 'Acme Robotics',
      title: 'intermediate',
      field: 'it',
      subproject: 'digital-engineer',
      province: 'guangdong',
      experience: '3-5',
      lang: 'en',
    });
    expect(done.text).toContain(rows[0]?.reference);
    // No dialog is left behind.
    const dialogs = await t.rt.db
      .selectFrom('dialogs')
      .select('conversation_id')
      .where('conversation_id', '=', `web:${id}`)
      .execute();
    expect(dialogs).toEqual([]);
    const status = await chat.say('/status');
    expect(status.text).toContain(rows[0]?.reference);
    expect(status.text).toContain('139****5678');
    expect(status.text).not.toContain('13912345678');
  });

  it('re-prompts every invalid answer specifically, and offers skip or help after three tries', async () => {
    const chat = chatter(t.rt.app, uid('invalid'), 'en');
    await chat.say('/register');
    let turn = await chat.say('maybe');
    expect(turn.meta.field).toBe('consent');
    expect(turn.text).toMatch(/choose one of the options/);
    await chat.pick('d:consent:agree');

    turn = await chat.say('Z');
    expect(turn.meta.field).toBe('name');
    expect(turn.text).toMatch(/2 to 40 characters/);
    turn = await chat.say('R2-D2');
    expect(turn.text).toMatch(/only letters/);
    await chat.say('Wang Fang');

    for (const bad of ['12345', '23812345678', '+1 415 555 0100', '1381234567']) {
      turn = await chat.say(bad);
      expect(turn.meta.field, bad).toBe('phone');
      expect(turn.text).toMatch(/11 digits, starting with 1/);
    }
    // Three failures: explained, and help offered (a phone number cannot be skipped).
    expect(turn.text).toMatch(/not worked three times/);
    expect(turn.choiceIds).toContain('d:phone:help');
    expect(turn.choiceIds).not.toContain('d:phone:skip');
    turn = await chat.pick('d:phone:help');
    expect(turn.text).toMatch(/How to answer/);
    turn = await chat.say('１３８ ０００１ ２２３３'); // full-width digits and spaces
    expect(turn.meta.field).toBe('email');

    turn = await chat.say('not-an-email');
    expect(turn.text).toMatch(/does not look like an email/);
    turn = await chat.say('skip');
    expect(turn.meta.field).toBe('organization');

    turn = await chat.say('x');
    expect(turn.text).toMatch(/2 to 100 characters/);
    turn = await chat.say('<>');
    expect(turn.text).toMatch(/name of your employer/);
    await chat.say('Example Institute');

    turn = await chat.say('grand wizard');
    expect(turn.meta.field).toBe('title');
    expect(turn.text).toMatch(/choose one of the options/);
    await chat.pick('d:title:senior');
    turn = await chat.say('underwater basket weaving');
    expect(turn.meta.field).toBe('field');
    await chat.say('aerospace');
    turn = await chat.say('the fifth one');
    expect(turn.meta.field).toBe('subproject');
    // "Help me choose" recommends from the answers so far and asks again.
    turn = await chat.pick('d:subproject:undecided');
    expect(turn.meta.field).toBe('subproject');
    expect(turn.text).toMatch(/The advanced training project is for high-level/);
    await chat.pick('d:subproject:advanced-training');
    for (const bad of ['Atlantis', 'Narnia', 'Mordor']) turn = await chat.say(bad);
    expect(turn.meta.field).toBe('province');
    // A list question that is not required can be skipped after three tries.
    expect(turn.choiceIds).toContain('d:province:skip');
    turn = await chat.pick('d:province:skip');
    expect(turn.meta.field).toBe('experience');
    turn = await chat.say('ninety-nine');
    expect(turn.text).toMatch(/a number from 0 to 60/);
    turn = await chat.say('61');
    expect(turn.text).toMatch(/a number from 0 to 60/);
    turn = await chat.say('7 years');
    expect(turn.meta.field).toBe('confirm');
    expect(turn.text).toContain('Region: (skipped)');
    turn = await chat.say('whatever');
    expect(turn.meta.field).toBe('confirm');
    expect(turn.text).toMatch(/tap "Confirm"/);
  });

  it('goes back, edits from the review card, and cancels without storing anything', async () => {
    const id = uid('edit');
    const chat = chatter(t.rt.app, id);
    await chat.say('sign me up');
    await chat.pick('d:consent:agree');
    await chat.say('Chen Jie');
    let turn = await chat.say('back');
    expect(turn.meta.field).toBe('name');
    turn = await chat.pick('d:name:back');
    expect(turn.meta.field).toBe('consent');
    await chat.pick('d:consent:agree');
    await chat.say('Chen Jie');
    await chat.say('13700001111');
    turn = await chat.pick('d:email:back');
    expect(turn.meta.field).toBe('phone');
    for (const a of [
      '13700001111',
      'd:email:skip',
      'Some Org',
      'd:title:junior',
      'd:field:green',
      'd:subproject:ability-improvement',
      'Beijing',
      'd:experience:0-2',
    ]) {
      turn = a.startsWith('d:') ? await chat.pick(a) : await chat.say(a);
    }
    expect(turn.meta.field).toBe('confirm');
    turn = await chat.pick('d:review:edit:phone');
    expect(turn.meta.field).toBe('phone');
    turn = await chat.say('13700002222');
    // Straight back to the review, not on to the next question.
    expect(turn.meta.field).toBe('confirm');
    expect(turn.text).toContain('137****2222');
    turn = await chat.pick('d:review:edit:province');
    turn = await chat.say('粤');
    expect(turn.text).toContain('Guangdong');
    turn = await chat.say('/cancel');
    expect(turn.text).toMatch(/cancelled/);
    expect(await registrations(`web:${id}`)).toEqual([]);
    turn = await chat.say('/cancel', { lang: 'en' });
    expect(turn.text).toMatch(/nothing in progress/);
  });

  it("accepts the user's own shared contact as the phone number, and only their own", async () => {
    const conversationId = `telegram:${uid('contact')}`;
    const say = (extra: Record<string, unknown>) =>
      t.rt.assistant.handle({ channel: 'telegram', conversationId, lang: 'zh', ...extra });
    await say({ text: '/register' });
    await say({ choice: 'd:consent:agree' });
    await say({ text: '孙悦' });
    let turn = await say({ contact: { phone: '+86 139 0000 1111', own: false } });
    expect(turn.meta.field).toBe('phone');
    expect(turn.replies[0]?.text).toContain('您自己的联系方式');
    turn = await say({ contact: { phone: '+86 139 0000 1111', own: true } });
    expect(turn.meta.field).toBe('email');
    const row = await t.rt.db
      .selectFrom('dialogs')
      .select('state')
      .where('conversation_id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row.state)).toContain('13900001111');
  });

  it('reads typed list answers generously, and refuses what names no option', async () => {
    const chat = chatter(t.rt.app, uid('lists'));
    for (const a of ['我要报名', 'd:consent:agree', '林青', '13800004444', 'd:email:skip', '某某设计院']) {
      await (a.startsWith('d:') ? chat.pick(a) : chat.say(a));
    }
    let turn = await chat.say('高级');
    // Ambiguous (副高级 or 正高级?): asked again with the buttons, not answered as a question.
    expect(turn.meta).toMatchObject({ field: 'title', sources: [] });
    expect(turn.text).toContain('请从下面的选项中选择');
    turn = await chat.say('中级工程师');
    expect(turn.meta.field).toBe('field');
    turn = await chat.say('新能源车');
    expect(turn.meta.field).toBe('subproject');
    await chat.say('数字工程师');
    turn = await chat.say('广东省深圳市');
    expect(turn.meta.field).toBe('experience');
    turn = await chat.say('5');
    expect(turn.text).toContain('中级');
    expect(turn.text).toContain('新能源汽车');
    expect(turn.text).toContain('广东');
    // Back from an edit returns to the card; consent is not an editable answer.
    turn = await chat.pick('d:review:edit:province');
    turn = await chat.say('上一步');
    expect(turn.meta.field).toBe('confirm');
    turn = await chat.pick('d:review:edit:consent');
    expect(turn.meta.field).toBe('confirm');
    expect(turn.text).toContain('请点“确认提交”');
  });

  it('/forget answered "no" in the middle of a registration carries on with it', async () => {
    const chat = chatter(t.rt.app, uid('forget-no'), 'en');
    for (const a of ['/register', 'd:consent:agree', 'Kept Name'])
      await (a.startsWith('d:') ? chat.pick(a) : chat.say(a));
    let turn = await chat.say('/forget');
    expect(turn.meta.field).toBe('confirm');
    turn = await chat.pick('d:confirm:no');
    expect(turn.text).toMatch(/nothing was deleted/);
    expect(turn.meta.field).toBe('phone');
    turn = await chat.say('13800005555');
    turn = await chat.pick('d:email:skip');
    expect(turn.meta.field).toBe('organization');
    // Another dialog's button does not throw this one away.
    turn = await chat.pick('start:triage');
    expect(turn.meta.field).toBe('organization');
    expect(turn.text).toMatch(/finish this one first/);
  });

  it('takes only known answers from a button, and ignores forged ones', async () => {
    const id = uid('forged');
    const chat = chatter(t.rt.app, id, 'en');
    let turn = await chat.pick('start:register:<b>x</b>:senior:\u0000');
    expect(turn.meta.field).toBe('consent');
    for (const a of ['d:consent:agree', 'Forge Test', '13800006666', 'd:email:skip', 'Org']) {
      turn = await (a.startsWith('d:') ? chat.pick(a) : chat.say(a));
    }
    // The title (valid) was taken; the sub-project (forged) will be asked.
    expect(turn.meta.field).toBe('field');
    turn = await chat.pick('d:field:it');
    expect(turn.meta.field).toBe('subproject');
  });

  it('says "nothing to cancel" to a natural cancel, and a stale button is just stale', async () => {
    const chat = chatter(t.rt.app, uid('stale'));
    let turn = await chat.say('取消');
    expect(turn.text).toContain('当前没有进行中的登记');
    await chat.say('我要报名');
    await chat.say('取消');
    turn = await chat.pick('d:consent:agree');
    expect(turn.text).toContain('菜单已失效');
    expect(turn.text).not.toContain('已经提交过');
  });

  it('answers a question asked mid-dialog in its own language', async () => {
    const chat = chatter(t.rt.app, uid('q-lang'));
    await chat.say('我要报名');
    await chat.pick('d:consent:agree');
    const turn = await chat.say('How many digital engineers are trained each year?');
    expect(turn.meta.lang).toBe('en');
    expect(turn.text).toContain('80,000');
    expect(turn.meta.field).toBe('name');
    // The dialog carries on in the language the user last asked in; a name in Han characters is an
    // answer, not a change of language.
    const name = await chat.say('李娜');
    expect(name.meta).toMatchObject({ field: 'phone', lang: 'en' });
  });

  it('/help lists the commands', async () => {
    const turn = await chatter(t.rt.app, uid('help'), 'en').say('/help');
    for (const c of ['/register', '/status', '/cancel', '/forget', '/lang']) expect(turn.text).toContain(c);
  });

  it('declining consent stores nothing', async () => {
    const id = uid('decline');
    const chat = chatter(t.rt.app, id);
    await chat.say('我要报名');
    const turn = await chat.pick('d:consent:decline');
    expect(turn.text).toContain('没有保存任何信息');
    const rows = await t.rt.db
      .selectFrom('dialogs')
      .selectAll()
      .where('conversation_id', '=', `web:${id}`)
      .execute();
    expect(rows).toEqual([]);
  });

  it('answers a question asked mid-dialog, then asks the same step again', async () => {
    const chat = chatter(t.rt.app, uid('question'));
    await chat.say('我要报名');
    await chat.pick('d:consent:agree');
    await chat.say('王芳');
    const turn = await chat.say('数字技术工程师每年培养多少人？');
    expect(turn.meta).toMatchObject({ kind: 'dialog', field: 'phone', sources: ['digital-engineer'] });
    expect(turn.text).toContain('8万');
    expect(turn.replies.at(-1)?.text).toContain('手机号');
    // An employer that happens to be in the knowledge base is still an employer.
    await chat.say('13800001111');
    await chat.pick('d:email:skip');
    const org = await chat.say('中国科学院');
    expect(org.meta.field).toBe('title');
  });

  it('never takes a question it cannot answer as the answer to a step: says what is not known, asks again', async () => {
    const chat = chatter(t.rt.app, uid('unknown-question'));
    await chat.say('我要报名');
    await chat.pick('d:consent:agree');
    await chat.say('王芳');
    await chat.say('13800002222');
    await chat.pick('d:email:skip');
    const turn = await chat.say('高研班的报名截止日期是哪天？');
    expect(turn.meta).toMatchObject({ kind: 'dialog', field: 'organization' });
    expect(turn.text).toMatch(/没有|未/);
    expect(turn.replies.at(-1)?.text).toContain('工作单位');
    const en = await chat.say('What is the fee for the seminars?');
    expect(en.meta.field).toBe('organization');
    // The employer typed next is the employer.
    expect((await chat.say('中国科学院')).meta.field).toBe('title');
  });

  it('switches language mid-dialog without losing answers', async () => {
    const chat = chatter(t.rt.app, uid('lang'));
    await chat.say('我要报名');
    await chat.pick('d:consent:agree');
    await chat.say('赵磊');
    let turn = await chat.say('/lang en');
    expect(turn.meta).toMatchObject({ kind: 'dialog', field: 'phone', lang: 'en' });
    expect(turn.text).toMatch(/mobile number/);
    turn = await chat.say('13611112222');
    expect(turn.meta).toMatchObject({ field: 'email', lang: 'en' });
    for (const a of [
      'd:email:skip',
      '某某研究院',
      'd:title:none',
      'd:field:marine',
      'd:subproject:advanced-training',
      '海外',
      'd:experience:21+',
    ]) {
      turn = a.startsWith('d:') ? await chat.pick(a) : await chat.say(a);
    }
    expect(turn.text).toContain('Name: 赵磊');
    expect(turn.text).toContain('Region: Overseas');
  });

  it('asks before replacing a registration for the same sub-project, and updates it in place', async () => {
    const id = uid('again');
    const chat = chatter(t.rt.app, id);
    await fillRegistration(chat, 'en');
    const first = await chat.pick('d:review:confirm');
    const ref = /KUP-\w{6}/.exec(first.text)?.[0];
    await fillRegistration(chat, 'en');
    let turn = await chat.pick('d:review:confirm');
    expect(turn.meta.field).toBe('confirm');
    expect(turn.text).toContain(ref);
    expect(turn.choiceIds).toEqual(['d:replace:yes', 'd:replace:no']);
    turn = await chat.pick('d:replace:yes');
    expect(turn.text).toContain(`still ${ref}`);
    expect(await registrations(`web:${id}`)).toHaveLength(1);

    await fillRegistration(chat, 'en');
    await chat.pick('d:review:confirm');
    turn = await chat.pick('d:replace:no');
    expect(turn.text).toMatch(/stays as it was/);
    expect(await registrations(`web:${id}`)).toHaveLength(1);
  });

  it('a double confirm creates one registration and says so', async () => {
    const id = uid('double');
    const chat = chatter(t.rt.app, id);
    await fillRegistration(chat, 'zh');
    const [a, b] = await Promise.all([chat.pick('d:review:confirm'), chat.pick('d:review:confirm')]);
    const rows = await registrations(`web:${id}`);
    expect(rows).toHaveLength(1);
    const ref = rows[0]?.reference as string;
    expect(a.text).toContain(ref);
    expect(b.text).toContain(ref);
    // A third, late click on the old button.
    const late = await chat.pick('d:review:confirm');
    expect(late.text).toContain(ref);
    expect(late.text).toContain('不会重复登记');
  });

  it('20 concurrent messages mid-dialog leave exactly one consistent state', async () => {
    const id = uid('concurrent');
    const chat = chatter(t.rt.app, id, 'en');
    await chat.say('/register');
    await chat.pick('d:consent:agree');
    const names = Array.from({ length: 20 }, (_, i) => `Person ${String.fromCharCode(65 + i)}`);
    const turns = await Promise.all(names.map((name) => chat.say(name)));
    // Each message was applied once, in some order, or (if it kept losing the race) answered with
    // "try again"; none was applied twice or lost silently.
    const busy = turns.filter((turn) => /try again in a moment/.test(turn.text)).length;
    const applied = 20 - busy;
    for (const turn of turns) expect(turn.meta.kind).toBe('dialog');
    expect(applied).toBeGreaterThanOrEqual(10);
    const row = await t.rt.db
      .selectFrom('dialogs')
      .select(['state', 'version'])
      .where('conversation_id', '=', `web:${id}`)
      .executeTakeFirstOrThrow();
    const state = (typeof row.state === 'string' ? JSON.parse(row.state) : row.state) as {
      step: string;
      data: Record<string, string>;
      attempts: number;
    };
    // One message was taken as the name; every other one was then applied, one at a time, to the
    // phone step (and refused): the version counts every write.
    expect(names).toContain(state.data.name);
    expect(state.step).toBe('phone');
    expect(state.attempts).toBe(applied - 1);
    expect(row.version).toBe(2 + applied);
    expect(turns.filter((turn) => turn.meta.field === 'phone').length).toBe(applied);
  });

  it('recommends sub-projects from the facts and offers to pre-register for them', async () => {
    const chat = chatter(t.rt.app, uid('triage'));
    let turn = await chat.say('我适合哪个项目？');
    expect(turn.meta).toMatchObject({ kind: 'dialog', field: 'title' });
    await chat.pick('d:title:intermediate');
    turn = await chat.pick('d:role:digital');
    expect(turn.text).toContain('数字技术工程师培育');
    expect(turn.text).toContain('高级研修项目');
    expect(turn.text).toContain('不能决定录取');
    expect(turn.choiceIds).toContain('start:register:digital-engineer:intermediate');
    turn = await chat.pick('start:register:digital-engineer:intermediate');
    expect(turn.meta.field).toBe('consent');
    for (const a of ['d:consent:agree', '周敏', '13500003333', 'd:email:skip', '某公司']) {
      turn = a.startsWith('d:') ? await chat.pick(a) : await chat.say(a);
    }
    // Title was given in the triage: the next question is the field, and the sub-project is skipped.
    expect(turn.meta.field).toBe('field');
    turn = await chat.pick('d:field:it');
    expect(turn.meta.field).toBe('province');
    const en = chatter(t.rt.app, uid('triage-en'));
    await en.say('Which sub-project suits me?');
    await en.pick('d:title:senior');
    await en.pick('d:role:manager');
    turn = await en.pick('d:field:aerospace');
    expect(turn.text).toMatch(/The advanced training project is for high-level professional/);
    expect(turn.text).not.toMatch(/Digital technology engineer training is for/);
  });

  it('/forget deletes every trace of personal data, after asking', async () => {
    const id = uid('forget');
    const conversationId = `web:${id}`;
    const chat = chatter(t.rt.app, id);
    const mine = [
      '我要报名',
      'd:consent:agree',
      '欧阳忘记',
      '13700007777',
      'forget.me@example.com',
      '忘记研究所',
      'd:title:junior',
      'd:field:biotech',
      'd:subproject:ability-improvement',
      '川',
      'd:experience:0-2',
    ];
    for (const a of mine) await (a.startsWith('d:') ? chat.pick(a) : chat.say(a));
    await chat.pick('d:review:confirm');
    await chat.say('/lang en');
    await chat.say('/register');
    await chat.pick('d:consent:agree');
    await chat.say('Half Done');
    let turn = await chat.say('/forget');
    expect(turn.meta.field).toBe('confirm');
    turn = await chat.pick('d:confirm:no');
    expect(turn.text).toMatch(/nothing was deleted/);
    expect(await registrations(conversationId)).toHaveLength(1);
    await chat.say('/forget');
    turn = await chat.pick('d:confirm:yes');
    expect(turn.text).toMatch(/deleted/);

    const personal = ['欧阳忘记', '13700007777', 'forget.me@example.com', 'Half Done', '忘记研究所'];
    const pseudo = await t.rt.pseudonyms.of(conversationId);
    await t.rt.log.flush();
    for (const table of ['registrations', 'dialogs', 'preferences', 'interactions'] as const) {
      const rows = (await sql`select * from ${sql.table(table)}`.execute(t.rt.db)).rows as Record<
        string,
        unknown
      >[];
      const dump = JSON.stringify(rows);
      for (const p of personal) expect(dump.includes(p), `${table} still holds ${p}`).toBe(false);
      expect(dump.includes(conversationId), `${table} still names the conversation`).toBe(false);
      expect(dump.includes(pseudo), `${table} still links the conversation`).toBe(false);
    }
    // Anonymous counts remain.
    const forgotten = await t.rt.db
      .selectFrom('interactions')
      .select('id')
      .where('conversation', '=', 'forgotten')
      .execute();
    expect(forgotten.length).toBeGreaterThan(10);
  });

  it('keeps personal answers out of the interaction log', async () => {
    const id = uid('redact');
    const chat = chatter(t.rt.app, id);
    await fillRegistration(chat, 'zh');
    await t.rt.log.flush();
    const rows = await t.rt.db
      .selectFrom('interactions')
      .select(['text', 'direction', 'field'])
      .where('conversation', '=', await t.rt.pseudonyms.of(`web:${id}`))
      .orderBy('id')
      .execute();
    const inbound = rows.filter((r) => r.direction === 'in').map((r) => r.text);
    expect(inbound).toContain('[name]');
    expect(inbound).toContain('[phone]');
    expect(inbound).toContain('[email]');
    expect(inbound).toContain('[organization]');
    expect(JSON.stringify(rows)).not.toContain('13812345678');
    // The review card repeats the answers, so it is not logged either.
    expect(rows.filter((r) => r.direction === 'out').map((r) => r.text)).toContain('[review card]');
    expect(JSON.stringify(rows)).not.toContain('张伟');
    expect(rows.filter((r) => r.direction === 'out').map((r) => r.field)).toContain('province');
  });

  it('treats hostile input in every field safely', async () => {
    const hostile = [
      'x'.repeat(4_000),
      '😀😀😀',
      '\u0000\u0007\u001b[31m',
      "Robert'); DROP TABLE registrations;--",
      '<img src=x onerror=alert(1)>',
      '\u202eevil\u202c',
    ];
    const chat = chatter(t.rt.app, uid('hostile'), 'en');
    await chat.say('/register');
    for (const step of registerFlow.steps.map((s) => s.id)) {
      let turn: Awaited<ReturnType<typeof chat.say>> | undefined;
      for (const h of hostile) {
        turn = await chat.say(h);
        // Refused with a re-prompt at the same step, or (for the name) accepted as text.
        expect(turn.meta.kind).toBe('dialog');
        if (turn.meta.field !== step) break;
      }
      const advance: Record<string, string> = {
        consent: 'd:consent:agree',
        name: 'Safe Name',
        phone: '13800009999',
        email: 'd:email:skip',
        organization: 'Safe Org',
        title: 'd:title:other',
        field: 'd:field:other',
        subproject: 'd:subproject:undecided',
        province: 'd:province:overseas',
        experience: 'd:experience:3-5',
      };
      if (turn?.meta.field === step) {
        const a = advance[step] as string;
        turn = a.startsWith('d:') ? await chat.pick(a) : await chat.say(a);
      }
    }
    const review = await chat.say('/status');
    expect(review.meta.kind).toBe('dialog');
    const count = await t.rt.db.selectFrom('registrations').select('id').execute();
    expect(count.length).toBeGreaterThan(0);
    expect((await t.rt.app.request('/healthz')).status).toBe(200);
  });
});

describe.each(backends)('dialogs across restarts and time on %s', (backend) => {
  it('resumes at the same step after a restart', async () => {
    const t = await openRuntime(backend, {}, { persistent: true });
    try {
      const id = uid('restart');
      await chatter(t.rt.app, id).say('我要报名');
      await chatter(t.rt.app, id).pick('d:consent:agree');
      await chatter(t.rt.app, id).say('钱多多');
      await t.restart();
      const chat = chatter(t.rt.app, id);
      const turn = await chat.say('你好');
      expect(turn.meta).toMatchObject({ kind: 'dialog', field: 'phone', lang: 'zh' });
      expect(turn.text).toContain('未完成的登记');
      const next = await chat.say('13800001234');
      expect(next.meta.field).toBe('email');
    } finally {
      await t.close();
    }
  });

  it('expires an unfinished dialog after the configured time and says so', async () => {
    // DIALOG_TTL_DAYS accepts fractions: 0.00002 days is about 1.7 seconds.
    const t = await openRuntime(backend, { DIALOG_TTL_DAYS: '0.00002' });
    try {
      const chat = chatter(t.rt.app, uid('expire'), 'en');
      await chat.say('/register');
      await chat.pick('d:consent:agree');
      await new Promise((r) => setTimeout(r, 2_200));
      const turn = await chat.say('Late Person');
      expect(turn.text).toMatch(/expired/);
      expect(turn.meta.kind).not.toBe('dialog');
    } finally {
      await t.close();
    }
  });
});
