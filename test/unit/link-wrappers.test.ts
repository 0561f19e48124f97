import { describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/index.js';
import { extractMeetingFromInvite } from '../../src/platforms/invite.js';
import { unwrapLink } from '../../src/platforms/link-wrappers.js';
import { parseMeetingUrl } from '../../src/platforms/resolve.js';

const ZOOM = 'https://us02web.zoom.us/j/88240852079?pwd=cWY6aUtOQmVGZ0xxUT09.1';
const THREAD = '19:meeting_NjkxOWMyYjctYzRhMy00NTIxLWI2ZjMtODc5ZmI4ODM2YjM0@thread.v2';
const TEAMS = `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(THREAD)}/0?context=%7b%22Tid%22%3a%2272f988bf%22%7d`;
const MEET = 'https://meet.google.com/abc-defg-hij';

/**
 * Proofpoint v2's own encoding of `u=`: percent-encoded (its own `-` and `_` too), `/` kept as
 * `_` and every `%` written as `-`: `https-3A__zoom.us_j_882...`.
 */
const v2 = (link: string): string => {
  const pct = encodeURIComponent(link).replace(/[-_!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `https://urldefense.proofpoint.com/v2/url?u=${pct.replace(/%2F/g, '/').replace(/%/g, '-').replace(/\//g, '_')}&d=DwMFaQ&c=euGZstcaTDllvimEN8b7jXrwqOf-v5A_CdpgnVfiiMM&r=abc&m=def&s=ghi&e=`;
};

const WRAPPED: Array<[string, string, string]> = [
  ['Outlook Safe Links', `https://nam12.safelinks.protection.outlook.com/?url=${encodeURIComponent(ZOOM)}&data=05%7C02%7C&sdata=abc%3D&reserved=0`, ZOOM],
  ['Google Calendar redirect', `https://www.google.com/url?q=${encodeURIComponent(MEET)}&sa=D&source=calendar&ust=1700000000000000&usg=AOvVaw0abc`, MEET],
  ['Proofpoint v1', `https://urldefense.com/v1/url?u=${encodeURIComponent(ZOOM)}&k=abc%0A&r=def&m=ghi&s=jkl`, ZOOM],
  ['Proofpoint v2', v2(TEAMS), TEAMS],
  ['Proofpoint v2, as written in the wild', 'https://urldefense.proofpoint.com/v2/url?u=https-3A__us02web.zoom.us_j_88240852079-3Fpwd-3DcWY6aUtOQmVGZ0xxUT09.1&d=DwMFaQ&c=abc&r=def&m=ghi&s=jkl&e=', ZOOM],
  ['Proofpoint v3, nothing swapped', `https://urldefense.com/v3/__${ZOOM}__;!!CxwJSw!a1b2c3d4e5$`, ZOOM],
  // Every '%' of the Teams link written as '*'; the four '%' follow as base64url("%%%%") = "JSUlJQ".
  ['Proofpoint v3, characters swapped', `https://urldefense.com/v3/__https://teams.microsoft.com/l/meetup-join/19*3ameeting_abc*40thread.v2/0?context=*7b*7d__;JSUlJQ!!CxwJSw!x$`, 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d'],
  ['Barracuda Link Protection', `https://linkprotect.cudasvc.com/url?a=${encodeURIComponent(ZOOM)}&c=E,1,abcDEF&typo=1`, ZOOM],
  ['Trend Micro time-of-click', `https://us-east-1.protection.trendmicro.com/wis/clicktime/v1/query?url=${encodeURIComponent(MEET)}&umid=1a2b&auth=3c4d`, MEET],
  ['Cisco Secure Email', `https://secure-web.cisco.com/1aBcD-eFgH_iJkL/${encodeURIComponent(ZOOM)}`, ZOOM],
  ['Safe Links around Proofpoint v2', `https://eur01.safelinks.protection.outlook.com/?url=${encodeURIComponent(v2(TEAMS))}&data=05`, TEAMS],
  ['Safe Links, US government cloud', `https://gcc02.safelinks.protection.office365.us/?url=${encodeURIComponent(MEET)}&data=05`, MEET],
  ['Safe Links in Teams chat', `https://statics.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html?url=${encodeURIComponent(ZOOM)}&locale=en-us`, ZOOM],
  ['Proofpoint v3 on urldefense.us', `https://urldefense.us/v3/__${MEET}__;!!BClRuOV5cvtbuNI!abc$`, MEET],
  ['FireEye / Trellix', `https://protect2.fireeye.com/v1/url?k=31323334-501cfaf3-313273af-454445554331-abc&q=1&e=abc&u=${encodeURIComponent(TEAMS)}`, TEAMS],
  ['Symantec click-time', `https://clicktime.symantec.com/3AbCdEf7Gh?u=${encodeURIComponent(ZOOM)}`, ZOOM],
  ['Slack outbound redirect', `https://slack-redir.net/link?url=${encodeURIComponent(ZOOM)}`, ZOOM],
  ['LinkedIn message redirect', `https://www.linkedin.com/redir/redirect?url=${encodeURIComponent(TEAMS)}&urlhash=AbCd&trk=public_profile`, TEAMS],
  ['LinkedIn safety interstitial', `https://www.linkedin.com/safety/go?url=${encodeURIComponent(MEET)}&trk=flagship-messaging-web&messageThreadUrn=urn%3Ali%3AmessagingThread%3A1`, MEET],
  ['Facebook outbound link', `https://l.facebook.com/l.php?u=${encodeURIComponent(ZOOM)}&h=AT0abc`, ZOOM],
  ['Sophos time-of-click', `https://eu-central-1.protection.sophos.com?d=us02web.zoom.us&u=${Buffer.from(ZOOM).toString('base64')}&p=m&i=abc&t=def&h=ghi`, ZOOM],
];

describe('link-protection and redirect wrappers', () => {
  it.each(WRAPPED)('%s: the link inside is read out', (_name, wrapped, inner) => {
    expect(unwrapLink(wrapped)).toBe(inner);
  });

  it.each(WRAPPED)('%s: a job with the wrapped link joins the meeting inside', (_name, wrapped, inner) => {
    expect(parseMeetingUrl(wrapped)).toEqual(parseMeetingUrl(inner));
  });

  it('a wrapped plain-http meeting link is joined over https', () => {
    const wrapped = `https://nam12.safelinks.protection.outlook.com/?url=${encodeURIComponent('http://zoom.us/j/88240852079')}&data=05`;
    expect(parseMeetingUrl(wrapped)).toEqual(parseMeetingUrl('https://zoom.us/j/88240852079'));
  });

  it('finds a wrapped link in invite text, passcode and all', () => {
    const found = extractMeetingFromInvite(`Join Zoom Meeting\n${`https://urldefense.com/v3/__${ZOOM}__;!!CxwJSw!a1$`}\nMeeting ID: 882 4085 2079\nPasscode: 584706`);
    expect(found.meeting).toMatchObject({ platform: 'zoom', meetingCode: '88240852079' });
    expect(found.passcode).toBe('584706');
  });

  it('keeps a + inside the wrapped link (a passcode character, not a space)', () => {
    const inner = 'https://zoom.us/j/88240852079?pwd=ab+cd.1';
    expect(unwrapLink(`https://urldefense.proofpoint.com/v2/url?u=https-3A__zoom.us_j_88240852079-3Fpwd-3Dab+cd.1&d=DwMFaQ`)).toBe(inner);
    expect(unwrapLink(`https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fzoom.us%2Fj%2F88240852079%3Fpwd%3Dab+cd.1&data=05`)).toBe(inner);
  });

  it('reads Cisco Secure Email from the segment after its token only, ignoring any query on the wrapper', () => {
    expect(unwrapLink(`https://secure-web.cisco.com/1aBcD/${encodeURIComponent(ZOOM)}?foo=bar`)).toBe(ZOOM);
  });

  it('decodes v3 runs: **<c> stands for several swapped characters in a row', () => {
    // "**B" is a run of 3; base64url("%#%") = "JSMl".
    expect(unwrapLink('https://urldefense.com/v3/__https://example.com/a**Bb__;JSMl!!x$')).toBe('https://example.com/a%#%b');
  });

  it.each([
    ['v3 with fewer swapped characters than markers', 'https://urldefense.com/v3/__https://zoom.us/j/88240852079?pwd=a*b*c__;JQ!!x$'],
    ['v3 with an unknown run marker', 'https://urldefense.com/v3/__https://zoom.us/j/882408**!52079__;JSMl!!x$'],
    ['v3 with swapped characters left over', 'https://urldefense.com/v3/__https://zoom.us/j/88240852079?pwd=a*b__;JSMl!!x$'],
    ['Sophos whose d= is not the link\'s host', `https://eu-central-1.protection.sophos.com?d=example.com&u=${Buffer.from(ZOOM).toString('base64')}`],
    ['Symantec\'s opaque form', 'https://clicktime.symantec.com/a/1/AbCdEf==?d=xyz&u=opaque'],
    ['a look-alike wrapper host', `https://urldefense.com.evil.example/v1/url?u=${encodeURIComponent(ZOOM)}`],
    ['a wrapper host on another path', `https://www.google.com/search?q=${encodeURIComponent(ZOOM)}`],
    ['LinkedIn on another path', `https://www.linkedin.com/feed/?url=${encodeURIComponent(ZOOM)}`],
    ['Mimecast (the link stays on its server)', 'https://protect-us.mimecast.com/s/AbCdEfGhIjKl?domain=zoom.us'],
  ])('leaves %s as it is', (_name, link) => {
    expect(unwrapLink(link)).toBe(link);
  });

  it.each([
    ['a wrapper around a non-meeting link', `https://linkprotect.cudasvc.com/url?a=${encodeURIComponent('https://evil.example/j/88240852079')}`],
    ['a wrapper around a plain-http link to a look-alike host', `https://nam12.safelinks.protection.outlook.com/?url=${encodeURIComponent('http://zoom.us.evil.example/j/88240852079')}`],
    ['a wrapper around a look-alike host', `https://www.google.com/url?q=${encodeURIComponent('https://zoom.us.evil.example/j/88240852079')}`],
    ['a Mimecast link', 'https://protect-us.mimecast.com/s/AbCdEfGhIjKl?domain=zoom.us'],
  ])('refuses %s', (_name, link) => {
    expect(() => parseMeetingUrl(link)).toThrow(MeetcapError);
    try {
      parseMeetingUrl(link);
    } catch (err) {
      expect((err as MeetcapError).code).toBe('url_not_allowed');
    }
  });
});
