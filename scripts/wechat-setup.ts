// `npm run wechat:setup [PUBLIC_URL]`: creates the account's custom menu from adapters/wechat/menu.ts
// and prints what to enter in 公众平台 → 设置与开发 → 基本配置 → 服务器配置.
import { createWeChatApi, WeChatApiError } from '../adapters/wechat/api.ts';
import { MENU } from '../adapters/wechat/menu.ts';
import { ConfigError, parseConfig } from '../src/config.ts';
import { loadEnvFile } from '../src/env-file.ts';

const publicUrl = process.argv[2] ?? process.env.PUBLIC_URL;
try {
  loadEnvFile();
  const config = parseConfig(process.env);
  if (!config.WECHAT_TOKEN || !config.WECHAT_APP_ID || !config.WECHAT_APP_SECRET)
    throw new ConfigError([
      'WECHAT_TOKEN, WECHAT_APP_ID and WECHAT_APP_SECRET: required (公众平台 → 设置与开发 → 基本配置)',
    ]);
  // The stable token: fetching it here does not invalidate the one the servers use.
  const api = createWeChatApi({
    apiRoot: config.WECHAT_API_ROOT,
    appId: config.WECHAT_APP_ID,
    appSecret: config.WECHAT_APP_SECRET,
  });
  await api.createMenu(MENU);
  const buttons = MENU.button.map((b) => b.name).join(' · ');
  console.log(`custom menu created: ${buttons}`);
  console.log('Server configuration (服务器配置):');
  console.log(
    `  URL:             ${publicUrl ? `${publicUrl.replace(/\/$/, '')}/wechat` : 'https://<your public address>/wechat'}`,
  );
  console.log(`  Token:           the value of WECHAT_TOKEN`);
  console.log(
    config.WECHAT_ENCODING_AES_KEY
      ? '  EncodingAESKey:  the value of WECHAT_ENCODING_AES_KEY; 消息加解密方式: 安全模式'
      : '  消息加解密方式:  明文模式 (set WECHAT_ENCODING_AES_KEY for 安全模式, recommended)',
  );
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof WeChatApiError && error.errcode === 40164)
    console.error(`${error.message}: add this machine's public IP to the IP allow-list (IP白名单) first`);
  else if (error instanceof TypeError)
    console.error(
      `wechat:setup failed: could not reach the WeChat API at ${process.env.WECHAT_API_ROOT ?? 'https://api.weixin.qq.com'} (${error.message})`,
    );
  else console.error(`wechat:setup failed: ${(error as Error).message}`);
  process.exit(1);
}
