import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, control } from './helpers.js';
import type { Sandbox } from '../../src/sandbox/index.js';

interface ErrorBody { error: { code: string; message: string } }

describe('sandbox control API', { timeout: 30_000 }, () => {
  let sandbox: Sandbox;
  let close: () => Promise<void>;
  beforeAll(async () => ({ sandbox, close } = await startTestSandbox()));
  afterAll(async () => close?.());

  it('creates meetings with a random 3-4-3 code or a given one', async () => {
    const random = await control<{ code: string; url: string }>(sandbox, 'POST', '/meetings', {});
    expect(random.status).toBe(201);
    expect(random.body.code).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(random.body.url).toBe(`https://meet.google.com/${random.body.code}`);
    const given = await control(sandbox, 'POST', '/meetings', { code: 'abc-defg-hij', open: true, lobbyTimeoutMs: 5000 });
    expect(given.body).toEqual({ code: 'abc-defg-hij', url: 'https://meet.google.com/abc-defg-hij' });
    const view = await control<{ state: string; joiners: unknown[]; participants: unknown[]; options: { open: boolean } }>(
      sandbox, 'GET', '/meetings/abc-defg-hij');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ state: 'live', joiners: [], participants: [], options: { open: true } });
  });

  it.each([
    ['POST', '/meetings', { code: 'abc-defg-hij' }, 409, 'meeting_exists'],
    ['POST', '/meetings', { code: 'Not A Code!' }, 400, 'invalid_request'],
    ['POST', '/meetings', { open: 'yes' }, 400, 'invalid_request'],
    ['POST', '/meetings', { surprise: 1 }, 400, 'invalid_request'],
    ['POST', '/meetings', '{not json', 400, 'invalid_request'],
    ['GET', '/meetings/zzz-zzzz-zzz', undefined, 404, 'meeting_not_found'],
    ['POST', '/meetings/zzz-zzzz-zzz/admit', {}, 404, 'meeting_not_found'],
    ['POST', '/meetings/abc-defg-hij/admit', { joinerId: 'j-999' }, 404, 'joiner_not_found'],
    ['POST', '/meetings/abc-defg-hij/participants', { name: '', toneHz: 440 }, 400, 'invalid_request'],
    ['POST', '/meetings/abc-defg-hij/participants', { name: 'A', toneHz: 5 }, 400, 'invalid_request'],
    ['POST', '/meetings/abc-defg-hij/participants/p-999/speak', { on: true }, 404, 'participant_not_found'],
    ['POST', '/meetings/abc-defg-hij/participants/p-999/speak', {}, 400, 'invalid_request'],
    ['DELETE', '/meetings/abc-defg-hij/participants/p-999', undefined, 404, 'participant_not_found'],
    ['GET', '/meetings/abc-defg-hij/wait?joiner=dancing', undefined, 400, 'invalid_request'],
    ['GET', '/meetings/abc-defg-hij/wait', undefined, 400, 'invalid_request'],
    ['GET', '/nowhere', undefined, 404, 'not_found'],
    ['PUT', '/meetings', {}, 405, 'method_not_allowed'],
  ])('%s %s %j → %i %s', async (method, path, body, status, code) => {
    const res = await control<ErrorBody>(sandbox, method, path, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toBeTruthy();
  });

  it('answers 408 when a wait condition is not met in time', async () => {
    const res = await control<ErrorBody>(sandbox, 'GET', '/meetings/abc-defg-hij/wait?joiner=in_call&timeoutMs=200');
    expect(res.status).toBe(408);
    expect(res.body.error.code).toBe('wait_timeout');
  });

  it('ends a meeting and then refuses to change it', async () => {
    const { body } = await control<{ code: string }>(sandbox, 'POST', '/meetings', {});
    const ended = await control<{ state: string }>(sandbox, 'POST', `/meetings/${body.code}/end`);
    expect(ended.body.state).toBe('ended');
    const admit = await control<ErrorBody>(sandbox, 'POST', `/meetings/${body.code}/admit`);
    expect([admit.status, admit.body.error.code]).toEqual([409, 'meeting_ended']);
    const add = await control<ErrorBody>(sandbox, 'POST', `/meetings/${body.code}/participants`, { name: 'A', toneHz: 440 });
    expect([add.status, add.body.error.code]).toEqual([409, 'meeting_ended']);
  });

  it('exposes the same operations in-process', async () => {
    const { code } = sandbox.api.createMeeting({ open: true });
    expect(sandbox.api.getMeeting(code).options.open).toBe(true);
    expect(() => sandbox.api.getMeeting('nope-nope-nop')).toThrow(expect.objectContaining({ code: 'meeting_not_found', status: 404 }));
    await expect(sandbox.api.wait(code, { joiner: 'lobby', timeoutMs: 50 })).rejects.toMatchObject({ code: 'wait_timeout' });
  });
});
