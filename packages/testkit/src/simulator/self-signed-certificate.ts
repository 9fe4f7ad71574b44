import selfsigned from 'selfsigned';

/** A PEM key and certificate pair. */
export interface PemCredentials {
  key: string;
  cert: string;
}

let generated: Promise<PemCredentials> | undefined;

/**
 * A self-signed certificate for `127.0.0.1`, `::1` and `localhost` (EC P-256, valid for a day),
 * generated with the `selfsigned` package on first use and shared by every simulator of the
 * process (generation takes a moment; the key never leaves the process).
 */
export function loopbackCertificate(): Promise<PemCredentials> {
  generated ??= (async () => {
    const now = Date.now();
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'Parley realtime simulator' }], {
      keyType: 'ec',
      curve: 'P-256',
      notBeforeDate: new Date(now - 60_000),
      notAfterDate: new Date(now + 24 * 3600_000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    });
    return { key: pems.private, cert: pems.cert };
  })();
  return generated;
}
