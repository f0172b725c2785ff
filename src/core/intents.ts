// Recognises what a short message asks the assistant to do (not questions about the programme).

const squash = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

const EN_FILLER = new Set(
  'i id im i d would like to want wanna please pls plz can could u you me my myself now how where do does let help just want to for the this programme program project in on up kindly quickly here'.split(
    ' ',
  ),
);
const EN_REGISTER = new Set([
  'register',
  'registration',
  'sign',
  'signup',
  'enrol',
  'enroll',
  'preregister',
  'pre',
  'apply',
]);
const ZH_FILLER =
  /我|想|要|帮|给|请|一下|吧|啊|呀|个|怎么|如何|现在|马上|可以|能|你|在哪|哪里|去|进行|一个|意向|先|立即|直接|这里/g;
const ZH_REGISTER = /^(报名|登记|注册|预登记|报|名|预)+$/;

/** "I'd like to register", "sign me up", "我要报名", "帮我报个名", "怎么报名". */
export function isRegisterRequest(text: string): boolean {
  const s = squash(text);
  if (!s || s.length > 60) return false;
  if (/\p{Script=Han}/u.test(s)) {
    const rest = s.replace(/\s+/g, '').replace(ZH_FILLER, '');
    return rest.length > 0 && ZH_REGISTER.test(rest) && /报名|登记|注册|报/.test(rest);
  }
  const words = s.split(' ');
  const rest = words.filter((w) => !EN_FILLER.has(w));
  return rest.length > 0 && rest.every((w) => EN_REGISTER.has(w)) && rest.some((w) => w !== 'pre');
}

/** "Which sub-project suits me?", "我适合哪个项目". */
export function isTriageRequest(text: string): boolean {
  const s = squash(text);
  return (
    /适合我|我适合|适合哪个|我该(参加|选|报)哪/.test(s.replace(/\s+/g, '')) ||
    /\b(suits? me|suitable for me|right for me|fit for me|best for me|should i (join|choose|pick|apply)|which (one|sub ?project|programme|program|project) (should|could|can) i)\b/.test(
      s,
    )
  );
}

export const isCancel = (text: string) =>
  /^(cancel|cancel registration|stop|quit|exit|abort|取消|取消登记|不报了|退出|算了|不要了|不登记了|结束)$/.test(
    squash(text).replace(/\s+/g, ' '),
  );
export const isBack = (text: string) =>
  /^(back|go back|previous|上一步|返回|后退|回到上一步)$/.test(squash(text));
export const isHelp = (text: string) => /^(help|get help|需要帮助|帮助|求助)$/.test(squash(text));
export const isSkip = (text: string) => /^(skip|跳过|略过|不填|没有|无|none|n a|na)$/.test(squash(text));

/** Does a typed text read as a question (rather than a name, an employer or a title)? */
export function looksLikeQuestion(text: string): boolean {
  const t = text.trim();
  return (
    /[?？]$/.test(t) ||
    /(吗|呢|么|什么|哪|多少|几|怎么|如何|是否|有没有|是不是)/.test(t) ||
    /^(what|how|who|which|when|where|why|is|are|can|could|does|do|will|tell me)\b/i.test(t)
  );
}

/** "Talk to a person", "human agent", "人工客服", "转人工" (but not "人工智能"). */
export function isHumanRequest(text: string): boolean {
  const s = squash(text);
  if (!s || s.length > 60) return false;
  const zh = s.replace(/\s+/g, '');
  if (
    /转人工|人工客服|人工服务|人工坐席|找人工|接人工|要人工|真人|联系客服|找客服|(联系|找|转|接)(一下)?(工作人员|客服|人工)/.test(
      zh,
    ) ||
    /^(人工|客服|工作人员)(呢|吗|吧)?$/.test(zh)
  )
    return true;
  return (
    /\b(talk|speak|chat|connect me|put me through)( to| with)? (a |an |the )?(real )?(human|person|someone|staff|agent|operator|officer)\b/.test(
      s,
    ) ||
    /\b(human|live) (agent|support|help|being)\b/.test(s) ||
    /^(a )?(human|agent|operator|real person|person)( please)?$/.test(s)
  );
}

/** "/bot" is the command; these say the same in words. */
export const isBackToBot = (text: string) =>
  /^(back to (the )?(bot|assistant)|return to (the )?(bot|assistant)|返回机器人|回到机器人|返回助手|回到助手|回到智能助手)$/.test(
    squash(text),
  );
