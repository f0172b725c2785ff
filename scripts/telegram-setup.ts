// `npm run telegram:setup [PUBLIC_URL]`: registers the command menu in both languages and, given
// the public URL of the server, points Telegram's webhook at it with the secret token.
import { Api } from 'grammy';
import { ConfigError, parseConfig } from '../src/config.ts';

const COMMANDS = {
  zh: [
    ['start', '开始'],
    ['help', '帮助'],
    ['register', '意向预登记'],
    ['status', '查看我的登记'],
    ['cancel', '取消进行中的登记'],
    ['human', '转人工客服'],
    ['bot', '回到智能助手'],
    ['lang', '切换语言 / language'],
    ['forget', '删除我的全部信息'],
  ],
  en: [
    ['start', 'Start'],
    ['help', 'Help'],
    ['register', 'Pre-register your interest'],
    ['status', 'Your registrations'],
    ['cancel', 'Cancel a registration in progress'],
    ['human', 'Talk to a person'],
    ['bot', 'Back to the assistant'],
    ['lang', 'Switch language / 语言'],
    ['forget', 'Delete all your information'],
  ],
} as const;

const publicUrl = process.argv[2] ?? process.env.PUBLIC_URL;
try {
  // Without a public URL this sets up polling, which needs no webhook secret.
  const config = parseConfig({ ...process.env, ...(publicUrl ? {} : { TELEGRAM_POLLING: '1' }) });
  if (!config.TELEGRAM_BOT_TOKEN)
    throw new ConfigError(['TELEGRAM_BOT_TOKEN: required (the token BotFather gave you)']);
  const api = new Api(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT });
  const list = (lang: 'zh' | 'en') =>
    COMMANDS[lang].map(([command, description]) => ({ command, description }));
  await api.setMyCommands(list('zh'), { language_code: 'zh' });
  await api.setMyCommands(list('en'), { language_code: 'en' });
  await api.setMyCommands(list('en'));
  console.log('command menu registered (zh, en, default)');

  if (publicUrl) {
    if (!/^https:\/\//.test(publicUrl) && !process.env.ALLOW_HTTP_WEBHOOK) {
      throw new ConfigError(['PUBLIC_URL: Telegram only calls https:// webhooks']);
    }
    if (!config.TELEGRAM_WEBHOOK_SECRET)
      throw new ConfigError(['TELEGRAM_WEBHOOK_SECRET: required to set a webhook']);
    const url = `${publicUrl.replace(/\/$/, '')}/telegram/webhook`;
    await api.setWebhook(url, {
      secret_token: config.TELEGRAM_WEBHOOK_SECRET,
      allowed_updates: ['message', 'callback_query'],
    });
    console.log(`webhook set to ${url}`);
  } else {
    console.log('no public URL given: webhook unchanged (TELEGRAM_POLLING=1 npm start deletes one to poll)');
  }
} catch (error) {
  console.error(
    error instanceof ConfigError ? error.message : `telegram setup failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
