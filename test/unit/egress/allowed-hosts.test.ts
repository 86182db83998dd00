import { describe, expect, it } from 'vitest';
import { findAllowed, nearMiss, parseAllowedHost, parseAllowedHosts } from '../../../src/egress/allowed-hosts.js';
import { parseManifest } from '../../../src/manifest/manifest.js';

const list = parseAllowedHosts(['api.acme.example', '*.cdn.acme.example', 'api.acme.example:8443', 'http://status.acme.example']);
const t = (scheme: 'http' | 'https', host: string, port: number) => findAllowed(list, { scheme, host, port })?.source;

describe('allowed hosts', () => {
  it('parses the entry forms: https by default, explicit ports, http only when written', () => {
    expect(parseAllowedHost('api.acme.example')).toMatchObject({ scheme: 'https', host: 'api.acme.example', wildcard: false, port: 443 });
    expect(parseAllowedHost('*.cdn.acme.example')).toMatchObject({ scheme: 'https', host: 'cdn.acme.example', wildcard: true, port: 443 });
    expect(parseAllowedHost('api.acme.example:8443')).toMatchObject({ port: 8443 });
    expect(parseAllowedHost('http://status.acme.example')).toMatchObject({ scheme: 'http', port: 80 });
  });

  it.each(['', 'API.acme.example', '*.', '*', 'a.*.example', 'acme.example:0', 'acme.example:70000', 'ftp://acme.example', 'https://acme.example/path', 'user@acme.example', '-acme.example', '[::1]', 'acme.example.', ' acme.example'])(
    'refuses %j',
    (entry) => expect(parseAllowedHost(entry)).toBeNull(),
  );

  it('matches scheme, host and port exactly; a wildcard matches names below it, not itself', () => {
    expect(t('https', 'api.acme.example', 443)).toBe('api.acme.example');
    expect(t('https', 'api.acme.example', 8443)).toBe('api.acme.example:8443');
    expect(t('https', 'api.acme.example', 8080)).toBeUndefined();
    expect(t('http', 'api.acme.example', 80)).toBeUndefined();
    expect(t('https', 'img.cdn.acme.example', 443)).toBe('*.cdn.acme.example');
    expect(t('https', 'a.b.cdn.acme.example', 443)).toBe('*.cdn.acme.example');
    expect(t('https', 'cdn.acme.example', 443)).toBeUndefined();
    expect(t('https', 'evilcdn.acme.example', 443)).toBeUndefined();
    expect(t('https', 'cdn.acme.example.evil.example', 443)).toBeUndefined();
    expect(t('http', 'status.acme.example', 80)).toBe('http://status.acme.example');
    expect(t('https', 'status.acme.example', 443)).toBeUndefined();
    expect(nearMiss(list, { scheme: 'http', host: 'api.acme.example', port: 80 })?.source).toBe('api.acme.example');
  });

  it('names every bad entry of a list', () => {
    expect(() => parseAllowedHosts(['ok.example', 'bad host', '*.'])).toThrow(/allowedHosts\[1\] "bad host", allowedHosts\[2\] "\*\."/);
  });

  it('is what the manifest accepts', () => {
    const base = { id: 'acme/w', version: '1.0.0', world: 'summit:widget/widget@0.1.0' };
    const m = parseManifest({ ...base, capabilities: { egress: { allowedHosts: ['http://status.acme.example:8080', '*.acme.example'] } } });
    expect(m.capabilities.egress.allowedHosts).toEqual(['http://status.acme.example:8080', '*.acme.example']);
    expect(() => parseManifest({ ...base, capabilities: { egress: { allowedHosts: ['https://acme.example/x'] } } })).toThrow(/allowedHosts\/0: expected a host like/);
  });
});
