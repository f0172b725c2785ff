// The account's custom menu (自定义菜单), created by `npm run wechat:setup`. A button's key is what
// a tap means: a choice id of core (topics, pre-registration), or "cmd:<command>".
export const MENU = {
  button: [
    {
      name: '了解工程',
      sub_button: [
        { type: 'click', name: '工程概况', key: 'topic:overview' },
        { type: 'click', name: '子项目', key: 'topic:subprojects' },
        { type: 'click', name: '重点领域', key: 'topic:priority-fields' },
        { type: 'click', name: '如何参加', key: 'topic:how-to-take-part' },
      ],
    },
    { type: 'click', name: '意向登记', key: 'start:register' },
    {
      name: '我的',
      sub_button: [
        { type: 'click', name: '我的登记', key: 'cmd:status' },
        { type: 'click', name: '帮我选项目', key: 'start:triage' },
        { type: 'click', name: '人工咨询', key: 'handoff:open' },
        { type: 'click', name: 'English', key: 'lang:en' },
      ],
    },
  ],
} as const;
