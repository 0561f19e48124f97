import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';

/** Hostnames the sandbox serves; the leaf is regenerated when this list grows. */
export const SANDBOX_DNS_NAMES = [
  'meet.google.com',
  'teams.microsoft.com',
  'teams.live.com',
  'teams.cloud.microsoft',
  'zoom.us',
  '*.zoom.us',
  'zoom.com',
  '*.zoom.com',
  'zoomgov.com',
  '*.zoomgov.com',
  'localhost',
] as const;
export const SANDBOX_IPS = ['127.0.0.1'] as const;

export interface SandboxCertificate {
  caCertPem: string;
  certPem: string;
  keyPem: string;
  /** base64 sha256 of the leaf's DER SubjectPublicKeyInfo, for --ignore-certificate-errors-spki-list. */
  spki: string;
}

const DAY_MS = 86_400_000;
const FILES = { caCert: 'ca.cert.pem', caKey: 'ca.key.pem', cert: 'leaf.cert.pem', key: 'leaf.key.pem' } as const;

export function meetcapHome(home?: string): string {
  return home ?? process.env.MEETCAP_HOME ?? join(process.cwd(), '.meetcap');
}

/** Loads the sandbox CA + leaf from `<home>/sandbox-ca`, creating them on first run or when unusable. */
export async function loadOrCreateCertificate(home?: string): Promise<SandboxCertificate> {
  const dir = join(meetcapHome(home), 'sandbox-ca');
  const existing = await readExisting(dir);
  if (existing && isUsable(existing)) return existing;
  const created = generate();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, FILES.caCert), created.caCertPem);
  await writeFile(join(dir, FILES.caKey), created.caKeyPem, { mode: 0o600 });
  await writeFile(join(dir, FILES.cert), created.certPem);
  await writeFile(join(dir, FILES.key), created.keyPem, { mode: 0o600 });
  return { caCertPem: created.caCertPem, certPem: created.certPem, keyPem: created.keyPem, spki: spkiHash(created.certPem) };
}

export function spkiHash(certPem: string): string {
  const der = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

async function readExisting(dir: string): Promise<SandboxCertificate | undefined> {
  try {
    const [caCertPem, certPem, keyPem] = await Promise.all(
      [FILES.caCert, FILES.cert, FILES.key].map((f) => readFile(join(dir, f), 'utf8')),
    );
    if (caCertPem === undefined || certPem === undefined || keyPem === undefined) return undefined;
    return { caCertPem, certPem, keyPem, spki: spkiHash(certPem) };
  } catch {
    return undefined;
  }
}

/** Usable = leaf signed by our CA, matches its key, valid for another day, covers every name. */
function isUsable(c: SandboxCertificate): boolean {
  try {
    const leaf = new X509Certificate(c.certPem);
    const ca = new X509Certificate(c.caCertPem);
    const soon = Date.now() + DAY_MS;
    if (!leaf.verify(ca.publicKey) || !leaf.checkPrivateKey(createPrivateKey(c.keyPem))) return false;
    if (Date.parse(leaf.validTo) < soon || Date.parse(ca.validTo) < soon) return false;
    const san = leaf.subjectAltName ?? '';
    return SANDBOX_DNS_NAMES.every((n) => san.includes(`DNS:${n}`)) && SANDBOX_IPS.every((ip) => san.includes(`IP Address:${ip}`));
  } catch {
    return false;
  }
}

interface Generated {
  caCertPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

function generate(): Generated {
  const { pki, md } = forge;
  // forge delegates to Node's native key generation when available, so this takes milliseconds.
  const caKeys = pki.rsa.generateKeyPair({ bits: 2048 });
  const caName = [{ name: 'commonName', value: 'meetcap sandbox CA' }, { name: 'organizationName', value: 'meetcap sandbox' }];
  const ca = newCert(caKeys.publicKey, 3650, caName, caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, md.sha256.create());

  const leafKeys = pki.rsa.generateKeyPair({ bits: 2048 });
  // Chromium rejects server certificates valid for more than 398 days.
  const leaf = newCert(leafKeys.publicKey, 397, [{ name: 'commonName', value: 'meetcap sandbox' }], caName);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...SANDBOX_DNS_NAMES.map((value) => ({ type: 2, value })),
        ...SANDBOX_IPS.map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  leaf.sign(caKeys.privateKey, md.sha256.create());
  return {
    caCertPem: pki.certificateToPem(ca),
    caKeyPem: pki.privateKeyToPem(caKeys.privateKey),
    certPem: pki.certificateToPem(leaf),
    keyPem: pki.privateKeyToPem(leafKeys.privateKey),
  };
}

function newCert(
  publicKey: forge.pki.PublicKey,
  days: number,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive serial: a leading 0x00..0x7f byte keeps the DER integer non-negative.
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  return cert;
}
