import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BotProfileSchema, MeetcapError, type BotProfile } from '../contracts/index.js';

/** Loads and validates `bot-profiles/<name>.json`. The name is already constrained by the job schema. */
export async function loadBotProfile(dir: string, name: string): Promise<BotProfile> {
  let raw: string;
  try {
    raw = await readFile(join(dir, `${name}.json`), 'utf8');
  } catch {
    throw new MeetcapError('unknown_bot_profile', `bot profile "${name}" not found in ${dir}`, { field: 'botProfile', profile: name });
  }
  const parsed = BotProfileSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`).join('; ');
    throw new MeetcapError('unknown_bot_profile', `bot profile "${name}" is invalid: ${fields}`, { profile: name });
  }
  return Object.freeze(parsed.data);
}
