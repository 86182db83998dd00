#!/usr/bin/env node
// A real forward proxy for the egress tests, in a process of its own: the `proxy` package (the
// one undici's own tests use) with two test-only twists, both on the proxy's side so that the
// host under test runs its production path unchanged:
//   --resolve <suffix>=<ip>   names ending in <suffix> resolve to <ip> here, and only here: the
//                             host cannot reach such an origin except through this proxy
//   --route <host:port>=<ip:port>   send tunnels and requests for host:port to ip:port instead, the
//                             way a mesh maps a service name to an endpoint (tests then need no
//                             privileged port for an https origin named in a sample's manifest)
//   --local-address <ip>      outgoing connections leave from <ip> (origins on loopback see it as
//                             the remote address, so a direct connection from the host stands out)
//   --tls-cert/--tls-key/--tls-ca <file>, --require-client-cert   serve the proxy over TLS
// Every request and tunnel is printed as one JSON line on stdout: {"event":"connect"|"request", ...}.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { parseArgs } from 'node:util';
import { createProxy } from 'proxy';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    resolve: { type: 'string', multiple: true, default: [] },
    route: { type: 'string', multiple: true, default: [] },
    'local-address': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-ca': { type: 'string' },
    'require-client-cert': { type: 'boolean', default: false },
  },
});

const overrides = values.resolve.map((r) => {
  const [suffix, address] = r.split('=');
  return { suffix, address };
});
const lookup = dns.lookup;
dns.lookup = function (host, opts, cb) {
  if (typeof opts === 'function') [cb, opts] = [opts, {}];
  const o = overrides.find((x) => host === x.suffix.replace(/^\./, '') || host.endsWith(x.suffix));
  if (!o) return lookup.call(this, host, opts, cb);
  const family = o.address.includes(':') ? 6 : 4;
  return opts?.all ? cb(null, [{ address: o.address, family }]) : cb(null, o.address, family);
};

const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const server = values['tls-cert']
  ? https.createServer({
      cert: readFileSync(values['tls-cert']),
      key: readFileSync(values['tls-key']),
      ...(values['tls-ca'] ? { ca: readFileSync(values['tls-ca']) } : {}),
      requestCert: values['require-client-cert'],
      rejectUnauthorized: values['require-client-cert'],
    })
  : http.createServer();
const routes = new Map(values.route.map((r) => r.split('=')));
// Registered before the proxy's own listeners, so they see the request first.
server.on('connect', (req) => {
  print({ event: 'connect', target: req.url, headers: req.headers });
  if (routes.has(req.url)) req.url = routes.get(req.url);
});
server.on('request', (req) => {
  print({ event: 'request', method: req.method, url: req.url, headers: req.headers });
  try {
    const u = new URL(req.url);
    if (routes.has(u.host)) req.url = `http://${routes.get(u.host)}${u.pathname}${u.search}`;
  } catch {
    // not absolute-form: the proxy answers 400
  }
});
createProxy(server);
if (values['local-address']) server.localAddress = values['local-address'];
server.on('tlsClientError', (err) => print({ event: 'tls-error', message: err.message }));
server.listen(Number(values.port), '127.0.0.1', () => print({ event: 'listening', port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
// The test process holds our stdin: when it goes away, however abruptly, so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
