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
  ])('recognises %s as %s', (url, platform, code) => {
    expect(parseMeetingUrl(url)).toMatchObject({ platform, meetingCode: code });
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
    'http://meet.google.com/abc-defg-hij',
    'https://meet.google.com@evil.com/abc-defg-hij',
    'https://user:pw@meet.google.com/abc-defg-hij',
    'https://meet.google.com:8443/abc-defg-hij',
    'https://meet.google.com.evil.com/abc-defg-hij',
    'https://zoom.us.evil.com/j/88240852079',
    'https://events.zoom.us/ev/abc',
    'https://meet.google.com/lookup/abcdef',
    'https://meet.google.com/',
    'not a url',
    'javascript:alert(1)',
  ])('refuses %s with url_not_allowed', (url) => {
    expect(refusal(url)).toBe('url_not_allowed');
  });

  it('refuses a platform that contradicts the link', () => {
    expect(() => parseMeetingUrl('https://meet.google.com/abc-defg-hij', 'zoom')).toThrow(/meet link/);
  });

  it('knows which platforms this build can join', () => {
    expect(resolvePlatform('https://meet.google.com/abc-defg-hij').adapter.id).toBe('meet');
    expect(() => resolvePlatform('https://zoom.us/j/88240852079')).toThrow(expect.objectContaining({ code: 'platform_unsupported' }));
  });
});
