import type { Lang } from './types.ts';

/** Everything the assistant says that is not from the knowledge base, in both languages. */
export const messages = {
  welcome: {
    zh: '您好！我是专业技术人才知识更新工程咨询助手。我可以介绍四个重点子项目、重点领域、培训规模和参加方式。请直接提问，例如“高研班每年办多少期？”，或选择下面的话题。输入 /lang en 可切换到英文。',
    en: 'Hello! I answer questions about China\'s professional and technical personnel knowledge update project (专业技术人才知识更新工程): its four sub-projects, priority fields, scale and how to take part. Ask me anything, e.g. "How many advanced training courses are there a year?", or pick a topic below. Type /lang zh for Chinese.',
  },
  help: {
    zh: '直接用中文或英文提问即可。命令：/register 意向预登记，/status 查看我的登记，/cancel 取消进行中的登记，/forget 删除我的全部信息，/lang zh 或 /lang en 切换语言，/help 帮助。我只根据公开的工程资料回答，不能决定录取；具体安排请以所在省份人力资源社会保障部门和承办单位的通知为准。',
    en: "Just ask in English or Chinese. Commands: /register to pre-register your interest, /status to see your registrations, /cancel to stop a registration in progress, /forget to delete all your information, /lang en or /lang zh to switch language, /help for this message. I answer only from the programme's published facts and cannot admit anyone; for details follow your provincial HR department and the host unit.",
  },
  fallback: {
    zh: '抱歉，这个问题我没有把握回答：我只根据知识更新工程公开的资料作答。费用、日期、地点和录取等具体安排通常由承办单位或省级人力资源社会保障部门确定，建议向他们咨询。您可以换个问法，或选择下面的话题：',
    en: "Sorry, I'm not sure about that: I only answer from the knowledge update project's published facts. Details such as fees, dates, venues and admission are usually set by the host unit or your provincial HR department, so it is best to ask them. Try rephrasing, or pick a topic below:",
  },
  languageSet: {
    zh: '好的，之后我会用中文回答。',
    en: "OK, I'll answer in English from now on.",
  },
  chooseLanguage: { zh: '请选择语言：', en: 'Choose a language:' },
  unknownCommand: {
    zh: '没有这个命令。输入 /help 查看可用命令，或直接提问。',
    en: "I don't know that command. Type /help to see what I can do, or just ask a question.",
  },
  expiredChoice: {
    zh: '这个选项已失效。请直接提问，或选择下面的话题：',
    en: 'That option has expired. Ask a question, or pick a topic below:',
  },
  privateDialog: {
    zh: '为保护个人信息，意向预登记、项目推荐和删除信息只能在私聊中进行，请私聊我：',
    en: 'To keep your details private, pre-registration, the sub-project finder and erasing your data work only in a private chat. Message me directly:',
  },
  slowDown: {
    zh: '您发消息太快了，请稍等几秒再发。',
    en: 'You are sending messages very fast. Please wait a few seconds and try again.',
  },
  thanks: { zh: '不客气！还有其他问题随时问我。', en: "You're welcome! Ask me anything else any time." },
  sourceLabel: { zh: '来源：', en: 'Source: ' },
} satisfies Record<string, Record<Lang, string>>;

export const languageNames: Record<Lang, string> = { zh: '中文', en: 'English' };
