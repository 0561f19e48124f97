import { describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/index.js';
import { parseMeetingUrl, resolvePlatform } from '../../src/platforms/resolve.js';

function refusal(url: string): string {
  try {
    parseMeetingUrl(url);
  } catch (err) {
    expect(err).toBeInstanceOf(MeetcapError);
    return (err as MeetcapError).code;
  }
  throw new Error(`${url} was accepted`);
}

describe('meeting links', () => {
  it.each([
    ['https://meet.google.com/abc-defg-hij', 'abc-defg-hij'],
    ['https://meet.google.com/abc-defg-hij?authuser=0&hl=de', 'abc-defg-hij'],
    ['https://meet.google.com/ABC-DEFG-HIJ', 'abc-defg-hij'],
    ['https://meet.google.com/abcdefghij', 'abc-defg-hij'],
    ['https://meet.google.com/our-team-standup', 'our-team-standup'],
    [' https://meet.google.com/abc-defg-hij/ ', 'abc-defg-hij'],
  ])('accepts Meet link %s', (url, code) => {
    const m = parseMeetingUrl(url);
    expect(m).toMatchObject({ platform: 'meet', meetingCode: code, host: 'meet.google.com' });
    expect(m.joinUrl).toBe(`https://meet.google.com/${code}?hl=en`);
  });

  it.each([
    ['https://us02web.zoom.us/j/88240852079?pwd=cWY6aUT09.1', 'zoom', '88240852079'],
    ['https://acme.zoom.us/wc/join/88240852079', 'zoom', '88240852079'],
    ['https://app.zoom.us/wc/88240852079/join?pwd=abc', 'zoom', '88240852079'],
    ['https://zoomgov.com/j/1234567890', 'zoom', '1234567890'],
    ['https://zoom.us/my/jane.doe', 'zoom', 'jane.doe'],
    ['https://teams.microsoft.com/meet/2812345678901?p=abc123', 'teams', '2812345678901'],
    ['https://teams.live.com/meet/9345678901234?p=x', 'teams', '9345678901234'],
    // Written without a scheme, and the desktop apps' own links to the same meetings.
    ['meet.google.com/abc-defg-hij', 'meet', 'abc-defg-hij'],
    ['us06web.zoom.us/j/88240852079?pwd=abc.1', 'zoom', '88240852079'],
    ['zoommtg://us06web.zoom.us/join?action=join&confno=88240852079&pwd=abc.1', 'zoom', '88240852079'],
    ['zoomus://zoom.us/join?confno=912345678', 'zoom', '912345678'],
    ['msteams:/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d', 'teams', '19:meeting_abc@thread.v2'],
    ['msteams://teams.microsoft.com/meet/2812345678901?p=abc123', 'teams', '2812345678901'],
    // Google's short link, Meet's app path, and Zoom's join form.
    ['https://g.co/meet/abc-defg-hij', 'meet', 'abc-defg-hij'],
    ['g.co/meet/abc-defg-hij', 'meet', 'abc-defg-hij'],
    ['https://meet.google.com/_meet/abc-defg-hij?authuser=0&ijlm=1', 'meet', 'abc-defg-hij'],
    ['https://zoom.us/join?confno=88240852079&pwd=abc.1', 'zoom', '88240852079'],
    ['https://us06web.zoom.us/join?confno=882-4085-2079', 'zoom', '88240852079'],
    // Plain http on a meeting host is the https link (the platforms redirect there themselves).
    ['http://meet.google.com/abc-defg-hij', 'meet', 'abc-defg-hij'],
    ['HTTP://us02web.zoom.us/j/88240852079?pwd=abc.1', 'zoom', '88240852079'],
    ['http://teams.microsoft.com/meet/2812345678901?p=x', 'teams', '2812345678901'],
  ])('recognises %s as %s', (url, platform, code) => {
    expect(parseMeetingUrl(url)).toMatchObject({ platform, meetingCode: code });
  });

  it('refuses http off the meeting hosts with the https rule', () => {
    expect(() => parseMeetingUrl('http://example.com/j/88240852079')).toThrow(/must use https \(got http\)/);
  });

  it('joins an http link over https, on the same host', () => {
    expect(parseMeetingUrl('http://us02web.zoom.us/j/88240852079').joinUrl).toMatch(/^https:\/\/us02web\.zoom\.us\/(?:wc\/join|j)\/88240852079/);
    expect(parseMeetingUrl('http://meet.google.com/abc-defg-hij').joinUrl).toBe('https://meet.google.com/abc-defg-hij?hl=en');
  });

  it.each(['our-standup', 'abc-defghij', 'weekly-1on1'])('keeps the Meet nickname %s as written, never re-cut into a code', (name) => {
    expect(parseMeetingUrl(`https://meet.google.com/${name}`).joinUrl).toBe(`https://meet.google.com/${name}?hl=en`);
    expect(parseMeetingUrl(`https://g.co/meet/${name}`).meetingCode).toBe(name);
  });

  it.each([
    ['https://us02web.zoom.us/meeting/register/tZ0kcuqhrT8jGNz', /registration page/],
    ['https://zoom.us/webinar/register/WN_abc', /registration page/],
    ['https://events.zoom.us/ev/abc', /events\.zoom\.us, a Zoom site/],
    ['https://meet.google.com/lookup/abcdef', /lookup link/],
    ['https://meet.google.com/new', /starts a new Meet meeting/],
  ])('says why %s cannot be joined', (url, why) => {
    expect(() => parseMeetingUrl(url)).toThrow(why);
  });

  it('keeps link secrets out of the redacted URL', () => {
    const m = parseMeetingUrl('https://us02web.zoom.us/j/88240852079?pwd=s3cretpwd.1');
    expect(m.passcodeInUrl).toBe('s3cretpwd.1');
    expect(m.redactedUrl).not.toContain('s3cretpwd');
  });

  it.each([
    'file:///etc/passwd',
    'http://169.254.169.254/latest/meta-data/',
    'https://example.com/abc-defg-hij',
    'http://meet.google.com:80/abc-defg-hij',
    'http://user@meet.google.com/abc-defg-hij',
    'https://meet.google.com@evil.com/abc-defg-hij',
    'https://user:pw@meet.google.com/abc-defg-hij',
    'https://meet.google.com:8443/abc-defg-hij',
    'https://meet.google.com.evil.com/abc-defg-hij',
    'https://zoom.us.evil.com/j/88240852079',
    'zoom.us.evil.com/j/88240852079',
    'meet.google.com@evil.com/abc-defg-hij',
    'meet.google.com:8443/abc-defg-hij',
    'zoommtg://evil.com/join?confno=88240852079',
    'zoommtg://u:p@zoom.us/join?confno=88240852079',
    'zoommtg://zoom.us:8080/join?confno=88240852079',
    'zoommtg://a%20b.zoom.us/join?confno=88240852079',
    'zoommtg://zoom.us/join?confno=abc',
    'msteams:/evil',
    'https://g.co/evil',
    'https://g.co/meet/a/b',
    'https://g.co.evil.com/meet/abc-defg-hij',
    'https://zoom.us/join',
    'https://zoom.us/join?confno=12',
    'https://evil.com/join?confno=88240852079',
    'https://g.co/meet/%E0',
    'https://meet.google.com/_meet/%E0',
    'meet.google.com/%E0',
    'https://events.zoom.us/ev/abc',
    'https://meet.google.com/lookup/abcdef',
    'https://meet.google.com/',
    'not a url',
    'javascript:alert(1)',
  ])('refuses %s with url_not_allowed', (url) => {
    expect(refusal(url)).toBe('url_not_allowed');
  });

  it.each([
    ['https://us06web.zoom.us/j/88240852079?pwd=cWY6UT09.1Passcode: 497810', 'https://us06web.zoom.us/wc/join/88240852079?pwd=cWY6UT09.1'],
    ['https://us06web.zoom.us/j/88240852079?pwd=cWY6UT09.1 (Passcode: 497810)', 'https://us06web.zoom.us/wc/join/88240852079?pwd=cWY6UT09.1'],
    ['https://zoom.us/j/85551234567?pwd%3DcWY6UT09.1', 'https://zoom.us/wc/join/85551234567?pwd=cWY6UT09.1'],
    ['https://zoom.us/j/85551234567%3Fpwd%3DcWY6UT09.1', 'https://zoom.us/wc/join/85551234567?pwd=cWY6UT09.1'],
    ['<https://meet.google.com/abc-defg-hij>', 'https://meet.google.com/abc-defg-hij?hl=en'],
    ['https://meet.google.com/abc-defg-hij.', 'https://meet.google.com/abc-defg-hij?hl=en'],
    // Out of an HTML invite: entities between query values, the anchor with the link twice.
    ['https://zoom.us/w/85551234567?tk=tok1&amp;pwd=cWY6UT09.1', 'https://zoom.us/wc/join/85551234567?pwd=cWY6UT09.1&tk=tok1'],
    ['<a href="https://zoom.us/j/85551234567">https://zoom.us/j/85551234567</a>', 'https://zoom.us/wc/join/85551234567'],
  ])('a job link copied with its surroundings (%s) joins the link alone, its passcode intact', (raw, joinUrl) => {
    expect(parseMeetingUrl(raw).joinUrl).toBe(joinUrl);
  });

  it('a job holding two links is not guessed at', () => {
    expect(refusal('https://meet.google.com/abc-defg-hij https://zoom.us/j/85551234567')).toBe('url_not_allowed');
    expect(() => parseMeetingUrl('https://meet.google.com/abc-defg-hij https://zoom.us/j/85551234567')).toThrow(/holds 2 different links/);
  });

  it('refuses a platform that contradicts the link', () => {
    expect(() => parseMeetingUrl('https://meet.google.com/abc-defg-hij', 'zoom')).toThrow(/meet link/);
  });

  it('resolves each platform to its adapter', () => {
    expect(resolvePlatform('https://meet.google.com/abc-defg-hij').adapter.id).toBe('meet');
    expect(resolvePlatform('https://zoom.us/j/88240852079').adapter.id).toBe('zoom');
    expect(resolvePlatform('https://teams.live.com/meet/9384756102938?p=abc').adapter.id).toBe('teams');
  });
});

const THREAD = '19:meeting_NjkxOWMyYjctYzRhMy00NTIxLWI2ZjMtODc5ZmI4ODM2YjM0@thread.v2';
const ENC_THREAD = encodeURIComponent(THREAD);
const CONTEXT = '{"Tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","Oid":"e2b1c0a1-3c4d-4e5f-8a9b-0c1d2e3f4a5b"}';
const ENC_CONTEXT = encodeURIComponent(CONTEXT);
const CANONICAL = (host = 'teams.microsoft.com'): string => `https://${host}/l/meetup-join/${ENC_THREAD}/0?context=${ENC_CONTEXT}`;
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');
const launcherInner = `/_#/l/meetup-join/${ENC_THREAD}/0?context=${ENC_CONTEXT}&anon=true`;

describe('Zoom links', () => {
  it.each([
    ['https://zoom.us/j/88240852079?pwd=cWY6UT09.1', '88240852079', 'https://zoom.us/wc/join/88240852079?pwd=cWY6UT09.1'],
    ['https://us06web.zoom.us/j/88240852079', '88240852079', 'https://us06web.zoom.us/wc/join/88240852079'],
    ['https://acme.zoom.us/j/912345678?pwd=x&uname=Bob', '912345678', 'https://acme.zoom.us/wc/join/912345678?pwd=x'],
    ['https://zoom.com/j/88240852079', '88240852079', 'https://zoom.com/wc/join/88240852079'],
    ['https://www.zoomgov.com/j/1612345678?pwd=g', '1612345678', 'https://www.zoomgov.com/wc/join/1612345678?pwd=g'],
    ['https://us02web.zoom.us/wc/join/88240852079?pwd=a', '88240852079', 'https://us02web.zoom.us/wc/join/88240852079?pwd=a'],
    ['https://app.zoom.us/wc/88240852079/join?pwd=abc', '88240852079', 'https://app.zoom.us/wc/88240852079/join?pwd=abc'],
    ['https://us06web.zoom.us/w/88240852079?pwd=p1&tk=regTok', '88240852079', 'https://us06web.zoom.us/wc/join/88240852079?pwd=p1&tk=regTok'],
    ['https://zoom.us/s/88240852079?zak=hostToken', '88240852079', 'https://zoom.us/wc/join/88240852079'],
    ['https://zoom.us/j/882-4085-2079', '88240852079', 'https://zoom.us/wc/join/88240852079'],
    ['https://acme.zoom.us/my/jane.doe?pwd=q', 'jane.doe', 'https://acme.zoom.us/my/jane.doe?pwd=q'],
  ])('parses %s', (url, code, joinUrl) => {
    const m = parseMeetingUrl(url);
    expect(m).toMatchObject({ platform: 'zoom', meetingCode: code, joinUrl });
    expect(m.redactedUrl).toBe(joinUrl.replace(/(pwd|tk)=[^&]+/g, '$1=REDACTED'));
    expect(m.redactedUrl).not.toMatch(/hostToken|regTok/);
  });

  it.each([
    'https://zoom.us/j/12345678', // 8 digits
    'https://zoom.us/j/123456789012', // 12 digits
    'https://zoom.us/j/abc',
    'https://events.zoom.us/ev/AbC123',
    'https://support.zoom.us/j/88240852079',
    'https://zoom.us/download',
    'https://evilzoom.us/j/88240852079',
    'https://zoom.us.evil.com/j/88240852079',
    'http://zoom.us.evil.com/j/88240852079',
    'https://zoom.us:444/j/88240852079',
  ])('refuses %s', (url) => expect(refusal(url)).toBe('url_not_allowed'));
});

describe('Teams links', () => {
  it.each([
    ['plain meetup-join', `https://teams.microsoft.com/l/meetup-join/${THREAD}/0?context=${CONTEXT}`, CANONICAL()],
    ['encoded meetup-join', CANONICAL(), CANONICAL()],
    ['launcher, encoded', `https://teams.microsoft.com/dl/launcher/launcher.html?url=${encodeURIComponent(launcherInner)}&type=meetup-join&deeplinkId=d1&directDl=true&msLaunch=true&enableMobilePage=true&suppressPrompt=true`, CANONICAL()],
    ['launcher, raw fragment', `https://teams.microsoft.com/dl/launcher/launcher.html?url=${launcherInner}&type=meetup-join`, CANONICAL()],
    ['v2 meetingjoin', `https://teams.microsoft.com/v2/?meetingjoin=true#/l/meetup-join/${ENC_THREAD}/0?context=${ENC_CONTEXT}&anon=true&deeplinkId=abc`, CANONICAL()],
    ['light-meetings coords', `https://teams.microsoft.com/light-meetings/launch?agent=web&version=25010000000&coords=${b64({ conversationId: THREAD, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', organizerId: 'e2b1c0a1-3c4d-4e5f-8a9b-0c1d2e3f4a5b', messageId: '0' })}&deeplinkId=x`, CANONICAL()],
    ['cloud.microsoft host', `https://teams.cloud.microsoft/l/meetup-join/${ENC_THREAD}/0?context=${ENC_CONTEXT}`, CANONICAL('teams.cloud.microsoft')],
    ['GCC High host', `https://gov.teams.microsoft.us/l/meetup-join/${ENC_THREAD}/0?context=${ENC_CONTEXT}`, CANONICAL('gov.teams.microsoft.us')],
    ['DoD host', `https://dod.teams.microsoft.us/l/meetup-join/${ENC_THREAD}/0?context=${ENC_CONTEXT}`, CANONICAL('dod.teams.microsoft.us')],
  ])('parses %s', (_name, url, joinUrl) => {
    expect(parseMeetingUrl(url)).toMatchObject({ platform: 'teams', meetingCode: THREAD, joinUrl, redactedUrl: joinUrl });
  });

  it('keeps what makes a town hall link an attendee link: the context flags, btype and role', () => {
    const context = { Tid: '72f988bf-86f1-41af-91ab-2d7cd011db47', Oid: 'e2b1c0a1-3c4d-4e5f-8a9b-0c1d2e3f4a5b', IsBroadcastMeeting: true, role: 'a' };
    const m = parseMeetingUrl(`https://teams.microsoft.com/l/meetup-join/${ENC_THREAD}/0?context=${encodeURIComponent(JSON.stringify(context))}&btype=a&role=a&deeplinkId=x`);
    const url = new URL(m.joinUrl);
    expect(JSON.parse(url.searchParams.get('context')!)).toEqual(context);
    expect([url.searchParams.get('btype'), url.searchParams.get('role'), url.searchParams.get('deeplinkId')]).toEqual(['a', 'a', null]);
  });

  it.each([
    ['https://teams.microsoft.com/meet/2812345678901?p=Ab12Cd', '2812345678901', 'https://teams.microsoft.com/meet/2812345678901?p=Ab12Cd', 'Ab12Cd'],
    ['https://teams.live.com/meet/9345678901234?p=x9Yz', '9345678901234', 'https://teams.live.com/meet/9345678901234?p=x9Yz', 'x9Yz'],
    ['https://teams.microsoft.com/meet/2812345678', '2812345678', 'https://teams.microsoft.com/meet/2812345678', undefined],
    [`https://teams.microsoft.com/light-meetings/launch?agent=web&coords=${b64({ meetingCode: '2812345678901', passcode: 'Ab12Cd' })}`, '2812345678901', 'https://teams.microsoft.com/meet/2812345678901?p=Ab12Cd', 'Ab12Cd'],
  ])('parses short link %s', (url, code, joinUrl, passcode) => {
    const m = parseMeetingUrl(url);
    expect(m).toMatchObject({ platform: 'teams', meetingCode: code, joinUrl });
    expect(m.passcodeInUrl).toBe(passcode);
    expect(m.redactedUrl).toBe(joinUrl.replace(/p=[^&]+/, 'p=REDACTED'));
  });

  it.each([
    'https://teams.microsoft.com.evil.com/meet/2812345678901',
    'https://evil.com/l/meetup-join/19:meeting_x@thread.v2/0',
    'https://teams.microsoft.com/meet/123',
    'https://teams.microsoft.com/l/meetup-join/not-a-thread/0',
    'https://teams.microsoft.com/light-meetings/launch?coords=bm90IGpzb24',
    'https://teams.microsoft.com/l/chat/0/0?users=a@b.com',
    'http://teams.microsoft.com.evil.com/meet/2812345678901?p=x',
  ])('refuses %s', (url) => expect(refusal(url)).toBe('url_not_allowed'));
});
