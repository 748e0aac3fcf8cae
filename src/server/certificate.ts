import { generate } from 'selfsigned';

/** The mock's TLS identity. The certificate is its own CA: clients pass `cert` as `ca`, never skip verification. */
export interface ServerCertificate {
  /** PEM certificate; also the CA clients trust. */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
  keyType: 'ec' | 'rsa';
  /** How long generation took, in ms (EC P-256 is what startup pays; RSA is measured for comparison). */
  generationMs: number;
}

/**
 * A fresh self-signed certificate for `localhost` and `127.0.0.1`. EC P-256 by default: it is generated an order of
 * magnitude faster than RSA-2048 and every TLS 1.2/1.3 client accepts it.
 */
export async function generateCertificate(keyType: 'ec' | 'rsa' = 'ec'): Promise<ServerCertificate> {
  const startedAt = performance.now();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType,
    ...(keyType === 'ec' ? { curve: 'P-256' as const } : { keySize: 2048 }),
    algorithm: 'sha256',
    // Back-dated a minute so a client whose clock is a little behind does not see "not yet valid".
    notBeforeDate: new Date(Date.now() - 60_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      {
        name: 'keyUsage',
        digitalSignature: true,
        keyCertSign: true,
        keyEncipherment: keyType === 'rsa',
        critical: true,
      },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private, keyType, generationMs: performance.now() - startedAt };
}
