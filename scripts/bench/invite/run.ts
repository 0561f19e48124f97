import { extractMeetingFromInvite } from '../../../src/platforms/invite.js';

/**
 * Reading a meeting out of invite text as the text grows: many meetings' links, each with its
 * "Meeting ID" and "Passcode" lines (a digest mail, a pasted calendar export). The meeting read
 * is the first, and its own block has no passcode line, so every other meeting's passcode label
 * is looked at and turned down: the most work a text of that size asks for. Prints milliseconds per call (median of 5) for each size, so the growth
 * with size can be read off: linear means each doubling doubles the time.
 *   node --import tsx scripts/bench/invite/run.ts
 */
function invite(meetings: number): string {
  const block = (i: number): string => {
    const id = String(81_000_000_000 + i);
    const passcode = i === 0 ? '' : `Passcode: ${100_000 + i}\n`;
    return `Team sync ${i}\nJoin Zoom Meeting\nhttps://us06web.zoom.us/j/${id}?pwd=Ab${i}Cd.1\n\nMeeting ID: ${id.replace(/(\d{3})(\d{4})(\d{4})/, '$1 $2 $3')}\n${passcode}---\n`;
  };
  return Array.from({ length: meetings }, (_, i) => block(i)).join('\n');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

console.log('| meetings in the text | characters | ms per call (median of 5) |');
console.log('|---|---|---|');
for (const meetings of [500, 1_000, 2_000, 4_000, 8_000]) {
  const text = invite(meetings);
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    const found = extractMeetingFromInvite(text);
    times.push(performance.now() - t0);
    if (found.passcode !== undefined || found.meeting.meetingCode !== '81000000000') throw new Error(`another meeting's passcode was taken (${meetings} meetings)`);
  }
  console.log(`| ${meetings} | ${text.length} | ${median(times).toFixed(1)} |`);
}
