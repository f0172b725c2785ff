// Drives a conversation through POST /api/chat of an app, like the web page does.
import { expect } from 'vitest';
import type { Turn } from '../../src/core/types.ts';

interface AppLike {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

export interface ChatTurn extends Turn {
  text: string;
  choiceIds: string[];
}

export function chatter(app: AppLike, userId: string, lang?: 'zh' | 'en') {
  async function send(body: Record<string, unknown>): Promise<ChatTurn> {
    const res = await app.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, ...(lang ? { lang } : {}), ...body }),
    });
    expect(res.status, JSON.stringify(body)).toBe(200);
    const turn = (await res.json()) as Turn;
    return {
      ...turn,
      text: turn.replies.map((r) => r.text).join('\n'),
      choiceIds: turn.replies.flatMap((r) => r.choices?.map((c) => c.id) ?? []),
    };
  }
  return {
    say: (text: string, extra: Record<string, unknown> = {}) => send({ text, ...extra }),
    pick: (choice: string, extra: Record<string, unknown> = {}) => send({ choice, ...extra }),
  };
}

/** Answers for a complete registration, in step order. */
export const answers = {
  zh: [
    '我要报名',
    'd:consent:agree',
    '张伟',
    '+86 138-1234-5678',
    'zhang.wei@example.com',
    '中国科学院',
    '副高',
    '新材料',
    '高研',
    '沪',
    '12年',
  ],
  en: [
    "I'd like to register",
    'd:consent:agree',
    'Li Na',
    '13912345678',
    'd:email:skip',
    'Acme Robotics',
    'Intermediate',
    'd:field:it',
    'Digital engineer',
    'Guangdong',
    'd:experience:3-5',
  ],
};

export async function fillRegistration(
  chat: ReturnType<typeof chatter>,
  lang: 'zh' | 'en',
): Promise<ChatTurn> {
  let turn: ChatTurn | undefined;
  for (const a of answers[lang]) turn = a.startsWith('d:') ? await chat.pick(a) : await chat.say(a);
  return turn as ChatTurn;
}
