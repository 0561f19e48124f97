import { foldText } from './attendees.js';

/**
 * Other recording bots (notetakers) join sales calls as participants under names like
 * "Fireflies.ai Notetaker", "Ann's Otter.ai", "Read.ai meeting notes" or "tl;dv Recorder". They are
 * nobody to record for: when they are all that is left, the meeting is over, and each bot waiting
 * for the others to leave would keep them all there until the maximum. Only names that say what
 * they are count; a person's name never matches.
 */

/** The vendors' own names, read anywhere in the display name. */
const VENDOR = new RegExp(
  [
    '\\botter\\.ai\\b', '\\botterpilot\\b', '\\bfireflies\\.ai\\b', '\\bfred from fireflies\\b', '\\bread[. ]ai\\b', '\\btl;?dv\\b', '\\bavoma\\b',
    '\\bsembl(?:y|ian)\\b', '\\btactiq\\b', '^fathom\\b', '\\bchorus\\.ai\\b', '\\bgong(?:\\.io)? (?:recorder|notetaker|bot)\\b',
    '\\bgrain (?:recorder|notetaker|bot)\\b', '\\bnotta\\b', '\\bmeetgeek\\b', '\\bsupernormal\\b', '\\bcircleback\\b', '\\bbluedot\\b',
    '\\bairgram\\b', '\\bclari copilot\\b',
  ].join('|'),
);
/**
 * What such bots call themselves: read in the name without a bracketed suffix, so a person who
 * labels their seat ("Jane Doe (note taker)") is still a person.
 */
const GENERIC = /\bnote[ -]?takers?\b|\bmeeting (?:notes|recorder|assistant|bot)\b|\b(?:recording|recorder|notes|transcription) bot\b|\bai (?:scribe|assistant)\b/;

export function isNotetaker(displayName: string): boolean {
  const name = foldText(displayName);
  return VENDOR.test(name) || GENERIC.test(name.replace(/\s*[([][^()[\]]*[)\]]/g, ' '));
}
