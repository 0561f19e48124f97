import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeetcapError } from '../../src/contracts/index.js';
import { isUrlAllowed, loadTenantSettings, safeUrl } from '../../src/ingest/allow-list.js';

const prefixes = ['https://files.example.com/recordings/', 'http://127.0.0.1:8080/calls'];

describe('ingest allow-list', () => {
  it.each([
    ['https://files.example.com/recordings/a.mp4', true],
    ['https://files.example.com/recordings/2026/11/a.mp4?X-Amz-Signature=abc', true],
    ['https://FILES.example.com:443/recordings/a.mp4', true],
    ['https://files.example.com/recordings/sub/../a.mp4', true],
    ['http://127.0.0.1:8080/calls', true],
    ['http://127.0.0.1:8080/calls/x.wav', true],
    // look-alike hosts
    ['https://files.example.com.evil.com/recordings/a.mp4', false],
    ['https://evilfiles.example.com/recordings/a.mp4', false],
    ['https://files.example.co/recordings/a.mp4', false],
    ['https://files.example.com./recordings/a.mp4', false],
    // userinfo, including the classic "allowed host as user name"
    ['https://files.example.com@evil.com/recordings/a.mp4', false],
    ['https://user:pw@files.example.com/recordings/a.mp4', false],
    // scheme and port
    ['http://files.example.com/recordings/a.mp4', false],
    ['https://files.example.com:8443/recordings/a.mp4', false],
    ['http://127.0.0.1:8081/calls/x.wav', false],
    ['http://localhost:8080/calls/x.wav', false],
    // path prefix tricks
    ['https://files.example.com/recordings/../x', false],
    ['https://files.example.com/recordings/%2e%2e/x', false],
    ['https://files.example.com/recordings/..%2Fx', false],
    ['https://files.example.com/recordings%2F../x', false],
    ['https://files.example.com/recordings/..\\x', false],
    ['https://files.example.com/recordings-evil/a.mp4', false],
    ['https://files.example.com/recordings', false],
    ['http://127.0.0.1:8080/calls-evil/x.wav', false],
    ['http://127.0.0.1:8080/callsx', false],
    ['https://files.example.com/', false],
    ['file:///recordings/a.mp4', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(isUrlAllowed(url, prefixes)).toBe(allowed);
  });

  it('allows nothing with an empty list', () => {
    expect(isUrlAllowed('https://files.example.com/recordings/a.mp4', [])).toBe(false);
  });

  it('safeUrl keeps origin and path only: no query (signatures), no credentials, no fragment', () => {
    expect(safeUrl('https://u:p@files.example.com/recordings/a.mp4?X-Amz-Signature=secret#x')).toBe('https://files.example.com/recordings/a.mp4');
  });

  describe('tenant settings files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'meetcap-tenants-'));
      await writeFile(path.join(dir, 'acme.json'), JSON.stringify({ ingest: { allowedUrlPrefixes: ['https://files.example.com/recordings/'] } }));
      await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ ingest: { allowedUrlPrefixes: ['https://u:p@files.example.com/'] } }));
      await writeFile(path.join(dir, 'typo.json'), JSON.stringify({ ingest: { allowedUrlPrefix: [] } }));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('loads a tenant file; a tenant without one may fetch nothing', async () => {
      expect((await loadTenantSettings(dir, 'acme')).ingest.allowedUrlPrefixes).toEqual(['https://files.example.com/recordings/']);
      expect((await loadTenantSettings(dir, 'nobody')).ingest.allowedUrlPrefixes).toEqual([]);
    });

    it('refuses prefixes with credentials and unknown fields (fails closed with source_not_allowed)', async () => {
      for (const tenant of ['bad', 'typo']) {
        const err = (await loadTenantSettings(dir, tenant).catch((e: unknown) => e)) as MeetcapError;
        expect(err.code, tenant).toBe('source_not_allowed');
      }
    });

    it('the example tenant file in the repository is valid', async () => {
      const repoTenants = new URL('../../tenants/', import.meta.url).pathname;
      expect((await loadTenantSettings(repoTenants, 'example')).ingest.allowedUrlPrefixes.length).toBeGreaterThan(0);
    });
  });
});
