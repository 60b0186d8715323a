/** TLS through a rediss:// URL, against a real TLS-enabled redis-server. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer } from '@statewire/test-redis-server';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { track, uniqueNamespace } from './support/stores.js';

describe('redis TLS', () => {
  it('a store on a rediss:// URL works over TLS', async () => {
    const certs = mkdtempSync(join(tmpdir(), 'statewire-tls-'));
    const cert = join(certs, 'cert.pem');
    const key = join(certs, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore', timeout: 30_000 },
    );
    const tlsPort = await freePort();
    const server = await startRedisServer({
      extra: [
        `tls-port ${tlsPort}`,
        `tls-cert-file ${cert}`,
        `tls-key-file ${key}`,
        `tls-ca-cert-file ${cert}`,
        'tls-auth-clients no',
      ],
    });
    try {
      const store = track(
        createRedisStore({
          url: `rediss://127.0.0.1:${tlsPort}`,
          redisOptions: { tls: { ca: readFileSync(cert) } },
          namespace: uniqueNamespace(),
        }),
      );
      await store.set('k', Buffer.from('over tls'));
      expect(await store.get('k')).toStrictEqual(Buffer.from('over tls'));
      await store.close();
    } finally {
      await server.stop();
      rmSync(certs, { recursive: true, force: true });
    }
  });
});
