import { describe, expect, it } from 'vitest';
import { addressKind, isLoopbackName, normalizeHostHeader, parseOrigin } from '../../../src/egress/addresses.js';

describe('origins and addresses', () => {
  it.each([
    ['https://API.Acme.Example', 'api.acme.example', null, 'https://api.acme.example'],
    ['https://api.acme.example.:443', 'api.acme.example', null, 'https://api.acme.example'],
    ['http://api.acme.example:8080', 'api.acme.example', null, 'http://api.acme.example:8080'],
    ['https://0x7f.1', '127.0.0.1', '127.0.0.1', 'https://127.0.0.1'],
    ['https://2130706433', '127.0.0.1', '127.0.0.1', 'https://127.0.0.1'],
    ['https://017700000001', '127.0.0.1', '127.0.0.1', 'https://127.0.0.1'],
    ['https://[::ffff:127.0.0.1]', '::ffff:7f00:1', '::ffff:7f00:1', 'https://[::ffff:7f00:1]'],
    ['https://[::1]:8443', '::1', '::1', 'https://[::1]:8443'],
    ['https://xn--bcher-kva.example', 'xn--bcher-kva.example', null, 'https://xn--bcher-kva.example'],
  ])('%s -> host %s (ip %s)', (origin, host, ip, normalized) => {
    const p = parseOrigin(origin);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.target.host).toBe(host);
    expect(p.ip).toBe(ip);
    expect(p.origin).toBe(normalized);
  });

  it('refuses credentials, other schemes and paths', () => {
    expect(parseOrigin('https://user:pw@api.acme.example')).toMatchObject({ ok: false, reason: 'credentials-in-url' });
    expect(parseOrigin('ftp://api.acme.example')).toMatchObject({ ok: false, reason: 'scheme-not-allowed' });
    expect(parseOrigin('file:///etc/passwd')).toMatchObject({ ok: false, reason: 'scheme-not-allowed' });
    expect(parseOrigin('https://api.acme.example/x')).toMatchObject({ ok: false, reason: 'uri-invalid' });
    expect(parseOrigin('https://')).toMatchObject({ ok: false, reason: 'uri-invalid' });
  });

  it('classifies addresses, mapped IPv4 included', () => {
    expect(addressKind('127.0.0.1')).toBe('loopback');
    expect(addressKind('::1')).toBe('loopback');
    expect(addressKind('::ffff:7f00:1')).toBe('loopback');
    expect(addressKind('10.1.2.3')).toBe('private');
    expect(addressKind('172.20.0.1')).toBe('private');
    expect(addressKind('192.168.1.1')).toBe('private');
    expect(addressKind('fd00::1')).toBe('private');
    expect(addressKind('169.254.169.254')).toBe('link-local');
    expect(addressKind('fe80::1')).toBe('link-local');
    expect(addressKind('0.0.0.0')).toBe('unspecified');
    expect(addressKind('93.184.216.34')).toBe('public');
    expect(isLoopbackName('localhost')).toBe(true);
    expect(isLoopbackName('api.localhost')).toBe(true);
    expect(isLoopbackName('localhost.example')).toBe(false);
  });

  it('normalizes Host headers the same way as the authority', () => {
    expect(normalizeHostHeader('API.acme.example:443', 'https')).toBe('api.acme.example');
    expect(normalizeHostHeader('api.acme.example:80', 'https')).toBe('api.acme.example:80');
    expect(normalizeHostHeader('evil.example', 'https')).toBe('evil.example');
    expect(normalizeHostHeader('a@evil.example', 'https')).toBeNull();
    expect(normalizeHostHeader('api.acme.example/x', 'https')).toBeNull();
  });
});

describe('IPv4-mapped IPv6', () => {
  it.each(['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:1'])('%s is loopback', (ip) => {
    expect(addressKind(ip)).toBe('loopback');
  });
});
