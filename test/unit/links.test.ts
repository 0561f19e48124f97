import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/index.js';
import { extractMeetingFromInvite } from '../../src/platforms/invite.js';

const THREAD = '19:meeting_NjkxOWMyYjctYzRhMy00NTIxLWI2ZjMtODc5ZmI4ODM2YjM0@thread.v2';
const CONTEXT = '{"Tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","Oid":"e2b1c0a1-3c4d-4e5f-8a9b-0c1d2e3f4a5b"}';
const TEAMS_LINK = `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(THREAD)}/0?context=${encodeURIComponent(CONTEXT)}`;
const ZOOM_PWD = 'cWY6aUtOQmVGZ0xxUT09.1';
const ZOOM_NO_PWD = 'https://us06web.zoom.us/j/88240852079';
const ZOOM_WITH_PWD = `${ZOOM_NO_PWD}?pwd=${ZOOM_PWD}`;

const ZOOM_INVITE = `Jane Doe is inviting you to a scheduled Zoom meeting.

Join Zoom Meeting
https://us06web.zoom.us/j/88240852079?pwd=${ZOOM_PWD}

Meeting ID: 882 4085 2079
Passcode: 584706

---

One tap mobile
+16469313860,,88240852079#,,,,*584706# US (New York)

Dial by your location
• +1 646 931 3860 US (New York)

Meeting ID: 882 4085 2079
Numeric passcode: 99887766
Find your local number: https://us06web.zoom.us/u/kdMnD`;

const TEAMS_INVITE = `________________________________________________________________________________
Microsoft Teams meeting
Join on your computer, mobile app or room device
Click here to join the meeting<${TEAMS_LINK}>
Meeting ID: 123 456 789 012
Passcode: abc123
Download Teams<https://www.microsoft.com/en-us/microsoft-teams/download-app> | Join on the web<https://www.microsoft.com/microsoft-teams/join-a-meeting>
Or call in (audio only)
+1 323-555-0166,,123456789#   United States, Los Angeles
Phone Conference ID: 123 456 789#
________________________________________________________________________________`;

const MEET_INVITE = `Weekly sync
Join with Google Meet: https://meet.google.com/abc-defg-hij
Or dial: (US) +1 402-555-0143 PIN: 512 345 678#
More phone numbers: https://tel.meet/abc-defg-hij?pin=5123456789`;

const google = (inner: string): string =>
  `https://www.google.com/url?q=${encodeURIComponent(inner)}&sa=D&source=calendar&ust=1700000000000000&usg=AOvVaw0abc`;
const safelinks = (inner: string): string =>
  `https://nam12.safelinks.protection.outlook.com/?url=${encodeURIComponent(inner)}&data=05%7C02%7C&sdata=abc%3D&reserved=0`;

interface Case {
  text: string;
  platform: string;
  code: string;
  passcode?: string;
  source?: 'url' | 'invite_text';
  joinUrl?: string;
}

const CASES: Array<[string, Case]> = [
  ['Zoom link with passcode in brackets', { text: 'https://us06web.zoom.us/j/88240852079 (Passcode: 584706)', platform: 'zoom', code: '88240852079', passcode: '584706', source: 'invite_text', joinUrl: 'https://us06web.zoom.us/wc/join/88240852079' }],
  ['Zoom (Password: ..)', { text: 'Join https://zoom.us/j/912345678 (Password: Xy7abc)', platform: 'zoom', code: '912345678', passcode: 'Xy7abc', source: 'invite_text' }],
  ['text glued to the URL', { text: `Join: https://us02web.zoom.us/j/88240852079?pwd=${ZOOM_PWD}Passcode: 497810`, platform: 'zoom', code: '88240852079', passcode: '497810', source: 'invite_text', joinUrl: `https://us02web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['URL-encoded ?pwd%3D', { text: `https://zoom.us/j/88240852079?pwd%3D${ZOOM_PWD}`, platform: 'zoom', code: '88240852079', source: 'url', joinUrl: `https://zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['URL-encoded %3Fpwd%3D', { text: `https://zoom.us/j/88240852079%3Fpwd%3D${ZOOM_PWD}`, platform: 'zoom', code: '88240852079', source: 'url', joinUrl: `https://zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['Google redirect wrapper', { text: `Join: ${google(`https://zoom.us/j/88240852079?pwd=${ZOOM_PWD}`)}`, platform: 'zoom', code: '88240852079', source: 'url', joinUrl: `https://zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['Outlook safelinks', { text: `Join <${safelinks(TEAMS_LINK)}>`, platform: 'teams', code: THREAD }],
  ['trailing punctuation', { text: 'Link: https://zoom.us/j/88240852079).', platform: 'zoom', code: '88240852079' }],
  ['trailing quote and semicolon', { text: `"https://meet.google.com/abc-defg-hij";`, platform: 'meet', code: 'abc-defg-hij' }],
  ['angle brackets', { text: 'Join here <https://meet.google.com/abc-defg-hij>, thanks', platform: 'meet', code: 'abc-defg-hij' }],
  ['HTML entities', { text: `<a href="https://zoom.us/w/88240852079?tk=tok123&amp;pwd=${ZOOM_PWD}">Join</a>`, platform: 'zoom', code: '88240852079', source: 'url', joinUrl: `https://zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}&tk=tok123` }],
  ['full Zoom invite', { text: ZOOM_INVITE, platform: 'zoom', code: '88240852079', passcode: '584706', source: 'invite_text' }],
  ['full Teams invite', { text: TEAMS_INVITE, platform: 'teams', code: THREAD, passcode: 'abc123', source: 'invite_text' }],
  ['Teams meeting ID only', { text: 'Microsoft Teams meeting\nMeeting ID: 123 456 789 012\nPasscode: abc123', platform: 'teams', code: '123456789012', passcode: 'abc123', source: 'invite_text', joinUrl: 'https://teams.microsoft.com/meet/123456789012' }],
  ['Teams meeting ID (10 digits, says Teams)', { text: 'Microsoft Teams\nMeeting ID: 2812 345 678\nPasscode: Qw3rty', platform: 'teams', code: '2812345678', passcode: 'Qw3rty' }],
  ['Zoom meeting ID only', { text: 'Zoom call\nMeeting ID: 882 4085 2079\nPasscode: 584706', platform: 'zoom', code: '88240852079', passcode: '584706', source: 'invite_text', joinUrl: 'https://zoom.us/wc/join/88240852079' }],
  ['Zoom meeting ID with dashes', { text: 'Meeting ID: 882-4085-2079', platform: 'zoom', code: '88240852079' }],
  // p= is the passcode hashed (Microsoft's notice MC772556): the page reads it, nobody types it.
  ['Teams short link with p=', { text: 'Join https://teams.microsoft.com/meet/2812345678901?p=gs3i4BbISAYdWvdTo0', platform: 'teams', code: '2812345678901', source: 'url' }],
  ['Teams invite: the passcode shown, not the link\'s p=', {
    text: 'Microsoft Teams meeting\nJoin the meeting now<https://teams.microsoft.com/meet/264183392744150?p=gs3i4BbISAYdWvdTo0>\nMeeting ID: 264 183 392 744 150\nPasscode: Mt9xB2N6',
    platform: 'teams', code: '264183392744150', passcode: 'Mt9xB2N6', source: 'invite_text', joinUrl: 'https://teams.microsoft.com/meet/264183392744150?p=gs3i4BbISAYdWvdTo0',
  }],
  ['HTML invite: tags between label and value', {
    text: '<div><span>Meeting ID: </span><span>344 674 159 108 1</span><br><span>Passcode: </span><span>ps3JH7YK</span></div><p><b>Passcode:</b> ps3JH7YK</p>',
    platform: 'teams', code: '3446741591081', passcode: 'ps3JH7YK',
  }],
  ['HTML anchor with an unquoted href', { text: `<a href=${ZOOM_NO_PWD}>Join Zoom Meeting</a><p><b>Passcode:</b> 584706</p>`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  ['angle brackets in prose around a link are no tag', { text: `if cost<a and then ${ZOOM_NO_PWD} (x>2)`, platform: 'zoom', code: '88240852079' }],
  ['Zoom HTML invite, passcode in bold', { text: `<p><a href="${ZOOM_NO_PWD}">Join Zoom Meeting</a></p><p><b>Passcode:</b> 584706</p>`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  // Where a link ends: typographic quotes, zero-width spaces, Slack's label, full-width punctuation, prose after the pwd's version.
  ['link in typographic quotes', { text: `Please use \u201c${ZOOM_WITH_PWD}\u201d to join.`, platform: 'zoom', code: '88240852079', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['zero-width space after the link', { text: `${ZOOM_WITH_PWD}\u200b\nPasscode: 584706`, platform: 'zoom', code: '88240852079', passcode: '584706', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['Slack link with a label', { text: `<${ZOOM_WITH_PWD}|Zoom>`, platform: 'zoom', code: '88240852079', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['Japanese prose around the link', { text: 'こちらから参加してください（https://us02web.zoom.us/j/85551234567）。', platform: 'zoom', code: '85551234567', joinUrl: 'https://us02web.zoom.us/wc/join/85551234567' }],
  // Encodings the text may still be in: a mail body in quoted-printable, a calendar file's DESCRIPTION.
  ['quoted-printable mail body, soft break inside the pwd', {
    text: `Join Zoom Meeting=0A${ZOOM_NO_PWD}?pwd=3D${ZOOM_PWD.slice(0, 9)}=\n${ZOOM_PWD.slice(9)}\n\nMeeting ID: 882 4085 2079\nPasscode: 584706`,
    platform: 'zoom', code: '88240852079', passcode: '584706', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}`,
  }],
  ['quoted-printable without soft breaks', { text: `Join=20Zoom=20Meeting=0A${ZOOM_NO_PWD}?pwd=3D${ZOOM_PWD}`, platform: 'zoom', code: '88240852079', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  // Not quoted-printable: a plain link whose encrypted passcode starts with 3D keeps it, and a
  // separator line of = signs does not make the rest of the text an encoded body.
  ['an = separator line', { text: `=====\n${ZOOM_NO_PWD}?pwd=abcDEF12345.1`, platform: 'zoom', code: '88240852079', joinUrl: 'https://us06web.zoom.us/wc/join/88240852079?pwd=abcDEF12345.1' }],
  ['quoted-printable Latin-1 body', { text: `Reuni=F3n de Zoom=0A${ZOOM_NO_PWD}=0AContrase=F1a=3A 584706 =\n`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  ['a plain link whose pwd starts with 3D', { text: `${ZOOM_NO_PWD}?pwd=3D${ZOOM_PWD}`, platform: 'zoom', code: '88240852079', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=3D${ZOOM_PWD}` }],
  ['calendar DESCRIPTION, escaped and folded inside the link', {
    text: `DESCRIPTION:Join Zoom Meeting\\n${ZOOM_WITH_PWD.slice(0, 50)}\r\n ${ZOOM_WITH_PWD.slice(50)}\\n\\nMeeting ID: 882 4085 2079\\nPasscode: 584706\\, thanks`,
    platform: 'zoom', code: '88240852079', passcode: '584706', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}`,
  }],
  ['prose glued after the pwd', { text: `${ZOOM_WITH_PWD}Join by phone +1 646 558 8656`, platform: 'zoom', code: '88240852079', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['Meet invite (PIN is not a passcode)', { text: MEET_INVITE, platform: 'meet', code: 'abc-defg-hij' }],
  ['skips non-meeting links first', { text: 'Agenda https://docs.example.com/x then https://zoom.us/download and https://acme.zoom.us/j/98765432101', platform: 'zoom', code: '98765432101' }],
  ['glued Meeting ID label', { text: `https://us06web.zoom.us/j/88240852079?pwd=${ZOOM_PWD}Meeting ID: 882 4085 2079`, platform: 'zoom', code: '88240852079', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  // The same with the labels of other languages: the label is not part of the link.
  ['glued Spanish passcode label', { text: `https://us06web.zoom.us/j/88240852079?pwd=${ZOOM_PWD}Código de acceso: 584706`, platform: 'zoom', code: '88240852079', passcode: '584706', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['glued French meeting-ID label', { text: `https://us06web.zoom.us/j/88240852079?pwd=${ZOOM_PWD}ID de réunion : 882 4085 2079`, platform: 'zoom', code: '88240852079', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['glued Japanese passcode label', { text: `https://us06web.zoom.us/j/88240852079?pwd=${ZOOM_PWD}パスコード：584706`, platform: 'zoom', code: '88240852079', passcode: '584706', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['glued German passcode label', { text: `https://teams.microsoft.com/meet/2812345678901Kenncode: Ab12Cd`, platform: 'teams', code: '2812345678901', passcode: 'Ab12Cd' }],
  ['Markdown link', { text: `[Join](https://us06web.zoom.us/j/88240852079?pwd=${ZOOM_PWD})`, platform: 'zoom', code: '88240852079', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['Google wrapper inside HTML', { text: `<a href="https://www.google.com/url?q=https://zoom.us/j/88240852079?pwd%3D${ZOOM_PWD}&amp;sa=D&amp;ust=1">Join</a>`, platform: 'zoom', code: '88240852079', joinUrl: `https://zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['Teams context written unencoded', { text: `Join: https://teams.microsoft.com/l/meetup-join/${THREAD}/0?context=${CONTEXT} now`, platform: 'teams', code: THREAD, joinUrl: TEAMS_LINK }],
  ['11-digit ID in prose about teams stays Zoom', { text: 'Sync for all teams\nMeeting ID: 882 4085 2079', platform: 'zoom', code: '88240852079' }],
  ['Google Calendar plain text: no scheme', { text: 'Join with Google Meet\nmeet.google.com/abc-defg-hij\nJoin by phone\n(US) +1 608-555-0123 PIN: 123 456 789#', platform: 'meet', code: 'abc-defg-hij' }],
  ['Zoom link without a scheme', { text: 'Join: us06web.zoom.us/j/88240852079 (Passcode: 584706)', platform: 'zoom', code: '88240852079', passcode: '584706', source: 'invite_text' }],
  ['Zoom desktop-app link', { text: `Open the app: zoommtg://us06web.zoom.us/join?action=join&confno=88240852079&pwd=${ZOOM_PWD}`, platform: 'zoom', code: '88240852079', source: 'url', joinUrl: `https://us06web.zoom.us/wc/join/88240852079?pwd=${ZOOM_PWD}` }],
  ['Teams desktop-app link', { text: `Join in the app: msteams:/l/meetup-join/${encodeURIComponent(THREAD)}/0?context=${encodeURIComponent(CONTEXT)}`, platform: 'teams', code: THREAD, joinUrl: TEAMS_LINK }],
  // Zoom and Teams write invites in the organiser's language.
  ['Spanish Zoom invite', { text: `Unirse a la reunión Zoom\n${ZOOM_NO_PWD}\n\nID de reunión: 882 4085 2079\nCódigo de acceso: 584706\n\nCódigo de acceso numérico: 99887766`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  ['French Zoom invite', { text: `Participer à la réunion Zoom\n${ZOOM_NO_PWD}\n\nID de réunion : 882 4085 2079\nCode secret : 584706`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  ['Portuguese Zoom invite', { text: `Ingressar na reunião Zoom\n${ZOOM_NO_PWD}\n\nID da reunião: 882 4085 2079\nSenha: 584706`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  ['Japanese Zoom invite', { text: `Zoomミーティングに参加する\n${ZOOM_NO_PWD}\n\nミーティングID: 882 4085 2079\nパスコード: 584706`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  ['a malformed escape in a Meet link does not hide the link beside it', { text: 'see g.co/meet/%E0 or https://zoom.us/j/88240852079', platform: 'zoom', code: '88240852079' }],
  ['an app link that is no URL does not hide the link beside it', { text: 'zoommtg://a%20b.zoom.us/join?confno=88240852079 or https://zoom.us/j/88240852079', platform: 'zoom', code: '88240852079' }],
  ['"none" and prose are no passcode', { text: `${ZOOM_NO_PWD}\nPasscode: none\nSenha: não é necessária\nSi olvidó su contraseña: https://zoom.us/signin`, platform: 'zoom', code: '88240852079' }],
  ['numeric dial-in passcodes in other languages are not the passcode', { text: `${ZOOM_NO_PWD}\nNumerisches Passwort: 123456\n数字密码：123456\n数字パスコード: 123456\n숫자 암호: 123456`, platform: 'zoom', code: '88240852079' }],
  ['Traditional Chinese Zoom invite', { text: `加入 Zoom 會議\n${ZOOM_NO_PWD}\n\n會議 ID: 882 4085 2079\n密碼: 584706`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  ['an accent written as a combining mark', { text: `${ZOOM_NO_PWD}\nCo\u0301digo de acceso: 584706`, platform: 'zoom', code: '88240852079', passcode: '584706' }],
  ['German dial-in passcode is not the passcode', { text: `${ZOOM_NO_PWD}\nNumerischer Kenncode: 99887766`, platform: 'zoom', code: '88240852079' }],
  ['Spanish Teams invite without a link', { text: 'Reunión de Microsoft Teams\nId. de reunión: 245 187 392 031\nCódigo de acceso: Y4xT2q', platform: 'teams', code: '245187392031', passcode: 'Y4xT2q' }],
  ['German Teams invite without a link', { text: 'Microsoft Teams-Besprechung\nBesprechungs-ID: 245 187 392 031\nKenncode: Y4xT2q', platform: 'teams', code: '245187392031', passcode: 'Y4xT2q' }],
  ['an http link and its https form are one meeting', { text: 'http://zoom.us/j/88240852079 or https://zoom.us/j/88240852079', platform: 'zoom', code: '88240852079' }],
  ['an http link alone is read as https', { text: 'Join: http://meet.google.com/abc-defg-hij', platform: 'meet', code: 'abc-defg-hij' }],
  ['an http link elsewhere is no meeting', { text: 'http://zoom.us.evil.example/j/88240852079 or https://zoom.us/j/88240852079', platform: 'zoom', code: '88240852079' }],
];

describe('extractMeetingFromInvite', () => {
  it.each(CASES)('%s', (_name, c) => {
    const found = extractMeetingFromInvite(c.text);
    expect(found.meeting).toMatchObject({ platform: c.platform, meetingCode: c.code });
    expect(found.passcode).toBe(c.passcode);
    if (c.source) expect(found.passcodeSource).toBe(c.source);
    if (c.joinUrl) expect(found.meeting.joinUrl).toBe(c.joinUrl);
    expect(found.meeting.redactedUrl).not.toMatch(/pwd=(?!REDACTED)|[?&]p=(?!REDACTED)|tk=(?!REDACTED)/);
  });

  it.each([
    ['no link at all', 'Lunch at noon, see you there'],
    ['only look-alike hosts', 'https://zoom.us.evil.com/j/88240852079 and https://teams.microsoft.com.evil.com/meet/2812345678901'],
    ['only non-joinable links', 'https://meet.google.com/lookup/abcdef https://events.zoom.us/ev/abc'],
    ['a phone PIN alone', 'Dial +1 402-555-0143 PIN: 512 345 678#'],
    ['credentials trick', 'https://meet.google.com@evil.com/abc-defg-hij'],
    ['look-alikes without a scheme', 'zoom.us.evil.com/j/88240852079, evilmeet.google.com/abc-defg-hij, jane@meet.google.com/abc-defg-hij'],
    ['an app link to another host', 'zoommtg://evil.com/join?confno=88240852079'],
    ['a meeting host inside another link', 'see evil.com/r?to=meet.google.com/abc-defg-hij or x.com/?u=zoom.us/j/88240852079'],
  ])('refuses %s', (_name, text) => {
    expect(() => extractMeetingFromInvite(text)).toThrow(MeetcapError);
    expect(() => extractMeetingFromInvite(text)).toThrow(/no joinable/);
  });

  it.each([
    ['Webex', 'Join: https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef Agenda: https://docs.example.com/a', 'webex'],
    ['GoTo', 'https://meet.goto.com/123456789', 'goto'],
    ['RingCentral', 'Join: https://v.ringcentral.com/join/123456789', 'ringcentral'],
    // Its "Meeting ID" is that service's: never joined as a Zoom meeting of the same number.
    ['BlueJeans with a meeting ID', 'BlueJeans meeting https://bluejeans.com/123456789\nMeeting ID: 123 456 789\nPasscode: 1234', 'bluejeans'],
  ])('names a %s meeting as platform_unsupported, not as no meeting at all', (_name, text, service) => {
    const err = (() => {
      try {
        extractMeetingFromInvite(text);
      } catch (e) {
        return e as MeetcapError;
      }
      throw new Error('accepted');
    })();
    expect(err).toMatchObject({ code: 'platform_unsupported', details: { service } });
    // A supported meeting in the same text still wins.
    expect(extractMeetingFromInvite(`${text} or https://meet.google.com/abc-defg-hij`).meeting.platform).toBe('meet');
  });

  it('never takes the passcode of another meeting', () => {
    const text = `Team A: https://zoom.us/j/111222333\n\nTeam B (Passcode: 999999) https://teams.microsoft.com/meet/2812345678901`;
    expect(extractMeetingFromInvite(text, 'zoom').passcode).toBeUndefined();
    const listed = `https://zoom.us/j/111222333\nMeeting ID: 444 555 666\nPasscode: 999999`;
    expect(extractMeetingFromInvite(listed).passcode).toBeUndefined();
  });

  it('does not guess between different meetings; the job\'s platform picks one where they are on different platforms', () => {
    const both = 'Join with Google Meet https://meet.google.com/abc-defg-hij\nWe\'ll use Zoom instead: https://zoom.us/j/88240852079 Passcode: 584706';
    expect(() => extractMeetingFromInvite(both)).toThrow(/2 different meetings/);
    expect(extractMeetingFromInvite(both, 'zoom')).toMatchObject({ meeting: { meetingCode: '88240852079' }, passcode: '584706' });
    expect(extractMeetingFromInvite(both, 'meet').meeting.meetingCode).toBe('abc-defg-hij');
    // An updated invite with the old and the new link of one platform: not guessed either.
    expect(() => extractMeetingFromInvite('Old: https://zoom.us/j/81111111111 New: https://zoom.us/j/82222222222', 'zoom')).toThrow(MeetcapError);
    // One meeting written twice (an anchor's href and its text) is one meeting.
    expect(extractMeetingFromInvite(`<a href="${ZOOM_NO_PWD}">${ZOOM_NO_PWD}</a>`).meeting.meetingCode).toBe('88240852079');
    // A platform the text does not name is not a licence to take another.
    expect(() => extractMeetingFromInvite(`Join ${ZOOM_NO_PWD}`, 'teams')).toThrow(/names no teams meeting/);
    // The platform's meeting may be only a "Meeting ID" line beside another platform's link.
    const idOnly = 'Join with Google Meet https://meet.google.com/abc-defg-hij\nZoom Meeting ID: 882 4085 2079\nPasscode: 584706';
    expect(extractMeetingFromInvite(idOnly, 'zoom')).toMatchObject({ meeting: { meetingCode: '88240852079' }, passcode: '584706' });
  });

  it('one meeting linked in two forms is one meeting: Teams\' meeting chat and meeting ID, a Zoom number and a personal room', () => {
    const teams = `Join the meeting now<${TEAMS_LINK}>\nOr join with the meeting ID: https://teams.microsoft.com/meet/123456789012?p=gs3i4BbISAYdWvdTo0\nPasscode: abc123`;
    expect(extractMeetingFromInvite(teams)).toMatchObject({ meeting: { meetingCode: THREAD }, passcode: 'abc123' });
    const zoom = `${ZOOM_WITH_PWD}\nPasscode: 584706\n--\nJane Doe, my room: https://acme.zoom.us/my/jane.doe`;
    expect(extractMeetingFromInvite(zoom)).toMatchObject({ meeting: { meetingCode: '88240852079' }, passcode: '584706' });
    // A personal room's passcode (a signature before the invite) is not the meeting's.
    const signature = `My room: https://acme.zoom.us/my/jane.doe Passcode: 999999\n\n${ZOOM_WITH_PWD}\nPasscode: 584706`;
    expect(extractMeetingFromInvite(signature)).toMatchObject({ meeting: { meetingCode: '88240852079' }, passcode: '584706' });
    expect(extractMeetingFromInvite(`My room: https://acme.zoom.us/my/jane.doe Passcode: 999999\n\n${ZOOM_WITH_PWD}`).passcode).toBeUndefined();
    // Two of one form are still two meetings, and then nothing is merged.
    expect(() => extractMeetingFromInvite(`${zoom}\nor https://acme.zoom.us/my/john.roe`)).toThrow(/3 different meetings/);
    expect(() => extractMeetingFromInvite(`${zoom}\nor https://zoom.us/j/81111111111`)).toThrow(/3 different meetings/);
  });

  it('ignores passcodes too far from the link', () => {
    expect(extractMeetingFromInvite(`https://zoom.us/j/111222333\n${'x'.repeat(500)}\nPasscode: 999999`).passcode).toBeUndefined();
  });

  it('ignores "passcode" prose and keypad entries', () => {
    expect(extractMeetingFromInvite('https://zoom.us/j/111222333 passcode required').passcode).toBeUndefined();
    expect(extractMeetingFromInvite('https://zoom.us/j/111222333 Passcode: 4455#').passcode).toBeUndefined();
  });
});

const exec = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/meetcap.js', import.meta.url));

async function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = exec(process.execPath, [BIN, ...args], { timeout: 20_000 });
  if (input !== undefined) child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('meetcap link', () => {
  it('prints the meeting with a redacted join URL', async () => {
    const { code, stdout } = await cli(['link', `https://us06web.zoom.us/j/88240852079?pwd=${ZOOM_PWD}`]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      platform: 'zoom',
      meetingCode: '88240852079',
      passcodeFound: true,
      passcodeSource: 'url',
      joinUrl: 'https://us06web.zoom.us/wc/join/88240852079?pwd=REDACTED',
    });
    expect(stdout).not.toContain(ZOOM_PWD);
  }, 30_000);

  it('reads invite text from stdin and never prints the passcode', async () => {
    const { code, stdout } = await cli(['link', '-'], TEAMS_INVITE);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ platform: 'teams', meetingCode: THREAD, passcodeFound: true, passcodeSource: 'invite_text' });
    expect(stdout).not.toContain('abc123');
  }, 30_000);

  it('asks which meeting when the invite names two, and takes the platform it is told', async () => {
    const both = 'Join with Google Meet https://meet.google.com/abc-defg-hij or Zoom https://zoom.us/j/88240852079';
    const unsure = await cli(['link', both]);
    expect(unsure.code).toBe(2);
    expect(JSON.parse(unsure.stderr)).toMatchObject({ error: { code: 'url_not_allowed', message: expect.stringMatching(/2 different meetings/) } });
    const told = await cli(['link', '--platform', 'zoom', both]);
    expect(JSON.parse(told.stdout)).toMatchObject({ platform: 'zoom', meetingCode: '88240852079' });
  }, 30_000);

  it('fails with the typed error and exit code 2', async () => {
    const { code, stdout, stderr } = await cli(['link', 'https://zoom.us.evil.com/j/88240852079']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toMatchObject({ error: { code: 'url_not_allowed', fault: 'configuration' } });
  }, 30_000);
});
