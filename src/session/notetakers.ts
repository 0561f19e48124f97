import { foldText } from './attendees.js';

/**
 * Other recording bots (notetakers) join sales calls as participants under names like
 * "Fireflies.ai Notetaker", "Ann's Otter.ai", "Read.ai meeting notes" or "tl;dv Recorder". They are
 * nobody to record for: when they are all that is left, the meeting is over, and each bot waiting
 * for the others to leave would keep them all there until the maximum. Only names that say what
 * they are count; a person's name never matches.
 */
const NOTETAKER = new RegExp(
  [
    "\\botter\\.ai\\b", '\\bfireflies\\.ai\\b', '\\bfred from fireflies\\b', '\\bread\\.ai\\b', '\\btl;?dv\\b', '\\bavoma\\b',
    '\\bsembly(?: ai)?\\b', '\\btactiq\\b', '\\bfathom (?:notetaker|ai)\\b', '\\bnote[ -]?takers?\\b',
    '\\bmeeting (?:notes|recorder|assistant|bot)\\b', '\\b(?:recording|recorder|notes|transcription) bot\\b', '\\bai (?:scribe|assistant)\\b',
  ].join('|'),
);

export function isNotetaker(displayName: string): boolean {
  return NOTETAKER.test(foldText(displayName));
}
