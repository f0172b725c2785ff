// The web chat page: an HTML document and its script (no CDN, no build step). The script is a file
// of its own so that the page's CSP allows no inline script.
export const chatPage = `<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>知识更新工程咨询助手 · Knowledge Update Assistant</title>
<style>
  :root { --accent: #b4232a; --bg: #f6f6f4; --bot: #fff; --me: #b4232a; --line: #e2e2de; }
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { font: 16px/1.5 -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; background: var(--bg); color: #222; display: flex; flex-direction: column; }
  header { display: flex; align-items: center; gap: .5rem; padding: .6rem 1rem; background: var(--accent); color: #fff; padding-top: max(.6rem, env(safe-area-inset-top)); }
  header h1 { font-size: 1rem; margin: 0; flex: 1; font-weight: 600; }
  .pill { border: 1px solid #fff8; background: transparent; color: #fff; border-radius: 1rem; padding: .2rem .7rem; font-size: .85rem; cursor: pointer; }
  main { flex: 1; overflow-y: auto; padding: 1rem; display: flex; flex-direction: column; gap: .6rem; max-width: 46rem; width: 100%; margin: 0 auto; }
  .msg { max-width: 88%; padding: .6rem .85rem; border-radius: 1rem; white-space: pre-wrap; overflow-wrap: anywhere; }
  .bot { background: var(--bot); border: 1px solid var(--line); align-self: flex-start; border-bottom-left-radius: .25rem; }
  .me { background: var(--me); color: #fff; align-self: flex-end; border-bottom-right-radius: .25rem; }
  .err { background: #fff4e5; border: 1px solid #f0c36d; align-self: center; font-size: .9rem; }
  .choices { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .5rem; }
  .choices button { border: 1px solid var(--accent); color: var(--accent); background: #fff; border-radius: 1rem; padding: .3rem .75rem; font: inherit; font-size: .9rem; cursor: pointer; }
  .choices button:disabled { opacity: .45; cursor: default; }
  .typing { color: #888; font-style: italic; }
  .staff { border-color: var(--accent); border-left-width: 3px; }
  form { display: flex; gap: .5rem; padding: .6rem; border-top: 1px solid var(--line); background: #fff; padding-bottom: max(.6rem, env(safe-area-inset-bottom)); }
  form > div { display: flex; gap: .5rem; max-width: 46rem; width: 100%; margin: 0 auto; }
  textarea { flex: 1; resize: none; font: inherit; padding: .55rem .75rem; border: 1px solid var(--line); border-radius: 1.2rem; max-height: 8rem; }
  form button { border: 0; background: var(--accent); color: #fff; border-radius: 1.2rem; padding: 0 1.1rem; font: inherit; cursor: pointer; }
  form button:disabled { opacity: .5; }
</style>
</head>
<body>
<header><h1 id="title">知识更新工程咨询助手</h1><button id="forget" class="pill" type="button">忘记此设备</button><button id="lang" class="pill" type="button" aria-label="Switch language">EN</button></header>
<main id="log" aria-live="polite"></main>
<form id="form" autocomplete="off"><div>
  <textarea id="text" rows="1" maxlength="4000" placeholder="请输入您的问题…" aria-label="Message"></textarea>
  <button id="send" type="submit">发送</button>
</div></form>
<script src="/chat.js" defer></script>
</body>
</html>
`;

/** The page's script (served at /chat.js). */
export const chatScript = `(() => {
  const T = {
    zh: { title: '知识更新工程咨询助手', placeholder: '请输入您的问题…', send: '发送', other: 'EN', typing: '正在输入…', error: '网络出错了，请稍后再试。', slow: '您的网络发送的消息太多了，请稍等一分钟再试。', forget: '忘记此设备', sure: '在这台设备上结束本次对话？您的对话记录将不再显示（如需删除您的报名信息，请先输入 /forget）。' },
    en: { title: 'Knowledge Update Assistant', placeholder: 'Type your question…', send: 'Send', other: '中文', typing: 'typing…', error: 'Something went wrong. Please try again.', slow: 'Too many messages are coming from your network. Please wait a minute and try again.', forget: 'Forget this device', sure: 'End this conversation on this device? It will no longer be shown here (to delete your registration too, type /forget first).' },
  };
  const $ = (id) => document.getElementById(id);
  const log = $('log'), form = $('form'), input = $('text'), send = $('send'), langBtn = $('lang'), forgetBtn = $('forget');
  const store = (k, v) => { try { if (v === undefined) return localStorage.getItem(k); localStorage.setItem(k, v); } catch { return null; } };
  const unstore = (k) => { try { localStorage.removeItem(k); } catch {} };
  // Who this is, the server keeps in an HttpOnly cookie that the page never sees (ids the page used
  // to keep here are dropped).
  unstore('kup.userId');
  // An explicit choice (the toggle) wins; otherwise the server answers in the language of each message.
  let chosen = store('kup.lang');
  let ui = chosen || ((navigator.language || 'zh').toLowerCase().startsWith('zh') ? 'zh' : 'en');

  function paint() {
    const t = T[ui];
    document.documentElement.lang = ui;
    $('title').textContent = t.title; input.placeholder = t.placeholder; send.textContent = t.send; langBtn.textContent = t.other; forgetBtn.textContent = t.forget;
  }
  function bubble(cls, text) {
    const div = document.createElement('div');
    div.className = 'msg ' + cls; div.textContent = text; log.appendChild(div);
    log.scrollTop = log.scrollHeight; return div;
  }
  function render(reply) {
    const div = bubble('bot', reply.text);
    if (reply.choices && reply.choices.length) {
      const row = document.createElement('div'); row.className = 'choices';
      for (const c of reply.choices) {
        const b = document.createElement('button'); b.type = 'button'; b.textContent = c.label; b.dataset.choice = c.id;
        b.addEventListener('click', () => { row.querySelectorAll('button').forEach((x) => { x.disabled = true; }); turn({ choice: c.id }, c.label); });
        row.appendChild(b);
      }
      div.appendChild(row);
    }
    log.scrollTop = log.scrollHeight;
  }
  let busy = false;
  async function turn(body, shown) {
    if (busy) return; busy = true; send.disabled = true;
    if (shown) bubble('me', shown);
    const wait = bubble('bot typing', T[ui].typing);
    try {
      const res = await fetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.assign({}, chosen || !body.text || body.text.startsWith('/') ? { lang: chosen || ui } : {}, body)) });
      const data = await res.json().catch(() => ({}));
      wait.remove();
      if (res.status === 429) { bubble('err', T[ui].slow); return; }
      if (!res.ok) { bubble('err', data.error || T[ui].error); return; }
      if (data.meta && data.meta.lang && data.meta.lang !== ui) { ui = data.meta.lang; paint(); }
      for (const r of data.replies || []) render(r);
      if (data.meta && data.meta.kind === 'handoff') watch();
    } catch { wait.remove(); bubble('err', T[ui].error); }
    finally { busy = false; send.disabled = false; input.focus(); }
  }
  // While a person has the conversation, their replies are fetched every few seconds.
  let seen = store('kup.seen') || '0', timer = null, polling = false;
  async function poll() {
    if (polling) return;
    polling = true; timer = null;
    let open = true;
    try {
      const res = await fetch('/api/chat/messages?after=' + encodeURIComponent(seen), { cache: 'no-store' });
      if (res.ok) {
        const data = await res.json();
        for (const m of data.messages || []) {
          if (Number(m.id) <= Number(seen)) continue; // shown already
          bubble('bot staff', m.text); seen = m.id; store('kup.seen', seen);
        }
        open = Boolean(data.handoff && data.handoff.open);
      }
    } catch {}
    polling = false;
    if (open) watch();
  }
  function watch() { if (!timer && !polling) timer = setTimeout(poll, document.hidden ? 15000 : 4000); }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim(); if (!text) return;
    input.value = ''; input.style.height = '';
    turn({ text }, text);
  });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); } });
  input.addEventListener('input', () => { input.style.height = 'auto'; input.style.height = input.scrollHeight + 'px'; });
  forgetBtn.addEventListener('click', async () => {
    if (!confirm(T[ui].sure)) return;
    try { await fetch('/api/chat/session', { method: 'DELETE' }); } catch {}
    unstore('kup.seen'); unstore('kup.lang');
    location.reload();
  });
  langBtn.addEventListener('click', () => {
    chosen = ui === 'zh' ? 'en' : 'zh'; ui = chosen; store('kup.lang', chosen); paint();
    turn({ text: '/lang ' + chosen }, null);
  });
  paint();
  turn({ text: '/start' }, null);
  poll(); // replies that came while the page was closed
})();
`;
