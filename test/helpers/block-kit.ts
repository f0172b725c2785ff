// What Slack checks of Block Kit before it shows a message or a modal (api.slack.com/reference/block-kit):
// block and element types per surface, the length limits, unique ids. The fake Slack refuses what
// Slack would refuse (`invalid_blocks`), so a test that opens a modal Slack would reject fails.

type Json = Record<string, unknown>;

const BLOCKS: Record<'message' | 'modal', Set<string>> = {
  message: new Set(['section', 'header', 'divider', 'context', 'actions', 'image', 'rich_text']),
  modal: new Set(['section', 'header', 'divider', 'context', 'actions', 'image', 'input', 'rich_text']),
};
const INPUT_ELEMENTS = new Set([
  'plain_text_input',
  'datepicker',
  'static_select',
  'checkboxes',
  'radio_buttons',
  'number_input',
]);

function text(problems: string[], where: string, t: unknown, max: number, plainOnly = false) {
  const o = t as Json | undefined;
  if (!o || typeof o.text !== 'string') return void problems.push(`${where}: a text object is required`);
  if (o.type !== 'plain_text' && (plainOnly || o.type !== 'mrkdwn'))
    problems.push(`${where}: type must be plain_text${plainOnly ? '' : ' or mrkdwn'}`);
  if (o.text.length === 0) problems.push(`${where}: text must not be empty`);
  if (o.text.length > max) problems.push(`${where}: text over ${max} characters (${o.text.length})`);
}

function element(problems: string[], where: string, e: Json, actionIds: Set<string>) {
  if (typeof e.action_id === 'string') {
    if (e.action_id.length > 255) problems.push(`${where}: action_id over 255`);
    if (actionIds.has(e.action_id)) problems.push(`${where}: action_id "${e.action_id}" repeated in a block`);
    actionIds.add(e.action_id);
  }
  switch (e.type) {
    case 'button':
      text(problems, `${where}.text`, e.text, 75, true);
      if (typeof e.value === 'string' && e.value.length > 2_000) problems.push(`${where}: value over 2000`);
      if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
        problems.push(`${where}: style must be primary or danger`);
      if (e.confirm) {
        const c = e.confirm as Json;
        text(problems, `${where}.confirm.title`, c.title, 100, true);
        text(problems, `${where}.confirm.text`, c.text, 300);
        text(problems, `${where}.confirm.confirm`, c.confirm, 30, true);
        text(problems, `${where}.confirm.deny`, c.deny, 30, true);
      }
      return;
    case 'plain_text_input': {
      const max = typeof e.max_length === 'number' ? e.max_length : 3_000;
      if (max > 3_000) problems.push(`${where}: max_length over 3000`);
      if (typeof e.initial_value === 'string' && e.initial_value.length > max)
        problems.push(`${where}: initial_value longer than max_length`);
      if (e.placeholder) text(problems, `${where}.placeholder`, e.placeholder, 150, true);
      return;
    }
    case 'datepicker':
      if (e.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(e.initial_date)))
        problems.push(`${where}: initial_date must be YYYY-MM-DD`);
      return;
    default:
      if (!INPUT_ELEMENTS.has(String(e.type)) && e.type !== 'image')
        problems.push(`${where}: unknown element type ${String(e.type)}`);
  }
}

/** Problems Slack would report with a list of blocks on a surface (empty when it accepts them). */
export function blockProblems(blocks: unknown, surface: 'message' | 'modal'): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  if (blocks.length > (surface === 'modal' ? 100 : 50))
    problems.push(`more than ${surface === 'modal' ? 100 : 50} blocks`);
  const blockIds = new Set<string>();
  blocks.forEach((raw, i) => {
    const b = raw as Json;
    const where = `blocks[${i}]`;
    if (!BLOCKS[surface].has(String(b.type)))
      problems.push(`${where}: ${String(b.type)} is not allowed in a ${surface}`);
    if (typeof b.block_id === 'string') {
      if (b.block_id.length > 255) problems.push(`${where}: block_id over 255`);
      if (blockIds.has(b.block_id)) problems.push(`${where}: block_id "${b.block_id}" repeated`);
      blockIds.add(b.block_id);
    }
    const actionIds = new Set<string>();
    switch (b.type) {
      case 'section':
        if (!b.text && !b.fields) problems.push(`${where}: a section needs text or fields`);
        if (b.text) text(problems, `${where}.text`, b.text, 3_000);
        if (Array.isArray(b.fields)) {
          if (b.fields.length > 10) problems.push(`${where}: more than 10 fields`);
          for (const [k, f] of b.fields.entries()) text(problems, `${where}.fields[${k}]`, f, 2_000);
        }
        if (b.accessory) element(problems, `${where}.accessory`, b.accessory as Json, actionIds);
        break;
      case 'header':
        text(problems, `${where}.text`, b.text, 150, true);
        break;
      case 'context': {
        const elements = b.elements as Json[] | undefined;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10)
          problems.push(`${where}: a context needs 1 to 10 elements`);
        else
          for (const [k, e] of elements.entries())
            if (e.type !== 'image') text(problems, `${where}.elements[${k}]`, e, 3_000);
        break;
      }
      case 'actions': {
        const elements = b.elements as Json[] | undefined;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25)
          problems.push(`${where}: actions need 1 to 25 elements`);
        else
          for (const [k, e] of elements.entries()) element(problems, `${where}.elements[${k}]`, e, actionIds);
        break;
      }
      case 'input': {
        text(problems, `${where}.label`, b.label, 2_000, true);
        if (b.hint) text(problems, `${where}.hint`, b.hint, 2_000, true);
        const e = b.element as Json | undefined;
        if (!e || !INPUT_ELEMENTS.has(String(e.type)))
          problems.push(`${where}: an input needs an input element`);
        else element(problems, `${where}.element`, e, actionIds);
        break;
      }
    }
  });
  return problems;
}

/** Problems Slack would report with a modal view (views.open, views.update, response_action update). */
export function viewProblems(view: unknown): string[] {
  const v = view as Json | undefined;
  if (v?.type !== 'modal') return ['view.type must be modal'];
  const problems: string[] = [];
  text(problems, 'title', v.title, 24, true);
  if (v.submit) text(problems, 'submit', v.submit, 24, true);
  if (v.close) text(problems, 'close', v.close, 24, true);
  const blocks = v.blocks as Json[] | undefined;
  if (Array.isArray(blocks) && blocks.some((b) => b.type === 'input') && !v.submit)
    problems.push('a modal with inputs needs a submit button');
  if (typeof v.callback_id === 'string' && v.callback_id.length > 255) problems.push('callback_id over 255');
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3_000)
    problems.push('private_metadata over 3000');
  return [...problems, ...blockProblems(v.blocks, 'modal')];
}
