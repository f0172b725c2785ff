import type { Lang } from '../types.ts';

type Text = Record<Lang, string>;

export const dialogText = {
  chooseOption: { zh: '请从下面的选项中选择一个。', en: 'Please choose one of the options below.' } as Text,
  skip: { zh: '跳过', en: 'Skip' } as Text,
  back: { zh: '上一步', en: 'Back' } as Text,
  cancel: { zh: '取消登记', en: 'Cancel' } as Text,
  help: { zh: '需要帮助', en: 'Get help' } as Text,
  confirm: { zh: '确认提交', en: 'Confirm' } as Text,
  edit: { zh: '修改', en: 'Edit' } as Text,
  skipped: { zh: '（未填）', en: '(skipped)' } as Text,
  tooManyTries: {
    zh: '这一项已经试了3次还没填好。您可以按提示再试一次，也可以跳过这一项，或查看帮助。',
    en: 'This answer has not worked three times. You can try once more as described, skip this question, or get help.',
  } as Text,
  tooManyTriesRequired: {
    zh: '这一项已经试了3次还没填好。这一项是必填的：请按提示再试一次，或查看帮助，也可以取消登记。',
    en: 'This answer has not worked three times. It is required: please try once more as described, get help, or cancel.',
  } as Text,
  stepHelp: {
    zh: '填写说明：姓名请用文字；手机号为11位中国大陆手机号；邮箱可跳过；其余各项可直接点选按钮。如仍有困难，可输入 /cancel 取消，或联系所在省份人力资源社会保障部门。',
    en: 'How to answer: a name in letters; a mainland mobile number of 11 digits; email can be skipped; for the other questions tap a button. If it still does not work, type /cancel, or contact your provincial HR department.',
  } as Text,
  review: {
    zh: '请核对您的预登记信息：',
    en: 'Please check your pre-registration:',
  } as Text,
  reviewHint: {
    zh: '信息无误请点“确认提交”，需要修改请点对应的“修改”按钮。',
    en: 'Tap "Confirm" if everything is right, or "Edit" next to anything you want to change.',
  } as Text,
  reviewTyped: {
    zh: '请点“确认提交”，或点“修改”按钮更改某一项。',
    en: 'Please tap "Confirm", or an "Edit" button to change an answer.',
  } as Text,
  tooManyRegistrations: {
    zh: '您所在的网络刚刚提交了很多报名，请过一会儿再点“确认提交”。您填写的信息已保存。',
    en: 'Many registrations came from your network just now. Please press "Confirm" again in a while: your answers are kept.',
  } as Text,
  created: {
    zh: '预登记成功！您的登记编号是 {ref}。工作人员会跟进联系您。请注意：预登记只是登记意向，不代表录取；实际参加通常需经所在单位、承办单位或列入目录的培训机构。输入 /status 可查看登记，/forget 可删除您的信息。',
    en: 'You are pre-registered! Your reference number is {ref}. Programme staff will follow up. Please note: this records your interest and is not admission; taking part usually goes through your employer, a host unit or a listed training institution. Type /status to see it, /forget to delete your information.',
  } as Text,
  updated: {
    zh: '已更新您的预登记，登记编号仍是 {ref}。预登记不代表录取。',
    en: 'Your pre-registration is updated; the reference number is still {ref}. Pre-registration is not admission.',
  } as Text,
  alreadyConfirmed: {
    zh: '这份预登记已经提交过了，登记编号是 {ref}，不会重复登记。',
    en: 'This pre-registration is already confirmed (reference {ref}); it was not recorded twice.',
  } as Text,
  replaceAsk: {
    zh: '您在 {date} 已经预登记过“{subproject}”（编号 {ref}）。要用这次填写的信息更新原来的登记吗？',
    en: 'You already pre-registered for "{subproject}" on {date} (reference {ref}). Update it with these answers?',
  } as Text,
  replaceYes: { zh: '更新原登记', en: 'Update it' } as Text,
  replaceNo: { zh: '保留原登记', en: 'Keep the old one' } as Text,
  keptOld: {
    zh: '好的，保留原来的登记（编号 {ref}），这次填写的信息没有保存。',
    en: 'OK, your earlier pre-registration ({ref}) stays as it was; these answers were not saved.',
  } as Text,
  cancelled: {
    zh: '已取消登记，这次填写的信息已删除。需要时输入 /register 重新开始。',
    en: 'Registration cancelled and these answers deleted. Type /register to start again any time.',
  } as Text,
  finishFirst: {
    zh: '请先完成或取消（/cancel）当前进行中的登记，已填写的信息都保留着：',
    en: 'Please finish this one first, or cancel it with /cancel; your answers so far are kept:',
  } as Text,
  nothingToCancel: { zh: '当前没有进行中的登记。', en: 'There is nothing in progress to cancel.' } as Text,
  expired: {
    zh: '您的{flow}（最后一次填写在 {date}）超过 {days} 天未完成，已经过期，填写的信息已删除。需要时输入 /register 重新开始。',
    en: 'Your {flow} (last answered on {date}) was not finished within {days} days, so it expired and its answers were deleted. Type /register to start again whenever you like.',
  } as Text,
  resume: {
    zh: '您有一份未完成的登记，我们接着来：',
    en: 'You have a registration in progress. Let us carry on:',
  } as Text,
  staleMenu: {
    zh: '这个菜单已失效。我们接着当前这一步：',
    en: 'That menu has expired. Here is where we are:',
  } as Text,
  staleNoDialog: {
    zh: '这个菜单已失效。需要时输入 /register 开始登记。',
    en: 'That menu has expired. Type /register whenever you want to pre-register.',
  } as Text,
  ownContactOnly: {
    zh: '请分享您自己的联系方式，或直接输入手机号。',
    en: 'Please share your own contact, or type your mobile number.',
  } as Text,
  busy: {
    zh: '登记服务暂时无法访问，请稍后再试。已提交的登记不受影响。',
    en: 'The registration service is not reachable right now. Please try again in a moment; confirmed registrations are safe.',
  } as Text,
  status: { zh: '您的预登记：', en: 'Your pre-registrations:' } as Text,
  statusNone: {
    zh: '您还没有预登记。输入 /register 开始。',
    en: 'You have no pre-registrations yet. Type /register to start.',
  } as Text,
  statusDialog: {
    zh: '进行中：{flow}，当前步骤“{step}”。',
    en: 'In progress: {flow}, at the step "{step}".',
  } as Text,
  forgotten: {
    zh: '已删除：您的预登记、进行中的登记、语言设置和消息内容都已删除，只保留匿名统计。',
    en: 'Done: your pre-registrations, any registration in progress, your language setting and the text of your messages are deleted. Only anonymous counts remain.',
  } as Text,
  notForgotten: { zh: '好的，没有删除任何信息。', en: 'OK, nothing was deleted.' } as Text,
  flowNames: {
    register: { zh: '预登记', en: 'pre-registration' },
    triage: { zh: '项目推荐', en: 'sub-project finder' },
    forget: { zh: '删除信息', en: 'deleting your information' },
  } as Record<string, Text>,
  triageIntro: {
    zh: '根据您的情况，建议关注：',
    en: 'From what you told me, these fit you best:',
  } as Text,
  triageAdmission: {
    zh: '实际参加通常需经所在单位、承办单位（高级研修）或列入目录的培训机构（数字技术工程师），本助手不能决定录取。要现在为推荐的项目做意向预登记吗？',
    en: 'Taking part usually goes through your employer, a host unit (advanced training) or a listed training institution (digital engineers); this assistant cannot admit anyone. Would you like to pre-register your interest now?',
  } as Text,
  preRegisterFor: { zh: '预登记：{subproject}', en: 'Pre-register: {subproject}' } as Text,
  noThanks: { zh: '不用了', en: 'No thanks' } as Text,
  fieldLabels: {
    name: { zh: '姓名', en: 'Name' },
    phone: { zh: '手机号', en: 'Mobile' },
    email: { zh: '邮箱', en: 'Email' },
    organization: { zh: '工作单位', en: 'Employer' },
    title: { zh: '职称', en: 'Title' },
    field: { zh: '领域', en: 'Field' },
    subproject: { zh: '意向项目', en: 'Sub-project' },
    province: { zh: '地区', en: 'Region' },
    experience: { zh: '工作年限', en: 'Experience' },
    consent: { zh: '同意', en: 'Consent' },
    confirm: { zh: '确认', en: 'Confirm' },
    role: { zh: '岗位', en: 'Role' },
  } as Record<string, Text>,
};

export const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
