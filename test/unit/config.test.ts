import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { BotProfileSchema } from '../../src/contracts/index.js';
import { chromiumArgs } from '../../src/session/browser.js';

const profile = BotProfileSchema.parse({ botName: 'Notetaker' });

describe('production launch flags', () => {
  it('keep Chromium sandboxed and never bypass certificates or fake the tab capture', () => {
    const config = loadConfig({});
    expect(config.chromiumSandbox).toBe(true);
    const args = chromiumArgs(config, profile);
    for (const banned of ['--no-sandbox', '--ignore-certificate-errors', '--disable-web-security', '--use-fake-ui-for-media-stream', '--enable-automation']) {
      expect(args.some((a) => a.startsWith(banned))).toBe(false);
    }
    expect(args).toContain('--disable-blink-features=AutomationControlled');
    expect(args).toContain('--lang=en-US');
  });

  it('accept only the sandbox flags through MEETCAP_SANDBOX_BROWSER_ARGS', () => {
    const ok = loadConfig({ MEETCAP_SANDBOX_BROWSER_ARGS: JSON.stringify(['--host-resolver-rules=MAP meet.google.com 127.0.0.1:1']) });
    expect(chromiumArgs(ok, profile)).toContain('--host-resolver-rules=MAP meet.google.com 127.0.0.1:1');
    for (const bad of ['--ignore-certificate-errors', '--disable-web-security', '--remote-debugging-port=9222', '--use-fake-device-for-media-stream']) {
      expect(() => loadConfig({ MEETCAP_SANDBOX_BROWSER_ARGS: JSON.stringify([bad]) })).toThrow(/may not contain/);
    }
  });

  it('disables the sandbox only when asked explicitly', () => {
    expect(chromiumArgs(loadConfig({ MEETCAP_CHROMIUM_NO_SANDBOX: '1' }), profile)).toContain('--no-sandbox');
  });
});

describe('deploy/s3-lifecycle.json', () => {
  it('aborts incomplete multipart uploads for the whole bucket, later than the longest recording', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = JSON.parse(await readFile(new URL('../../deploy/s3-lifecycle.json', import.meta.url), 'utf8'));
    expect(doc.Rules).toHaveLength(1);
    const [rule] = doc.Rules;
    expect(rule).toMatchObject({ Status: 'Enabled', Filter: { Prefix: '' } });
    expect(rule.AbortIncompleteMultipartUpload.DaysAfterInitiation).toBeGreaterThanOrEqual(1);
    expect(Object.keys(rule).sort()).toEqual(['AbortIncompleteMultipartUpload', 'Filter', 'ID', 'Status']);
  });
});
