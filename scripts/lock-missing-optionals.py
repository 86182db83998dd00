#!/usr/bin/env python3
"""Record optional platform packages the registry here does not serve, so `npm ci` accepts the
lock file. npm leaves a platform binding out of package-lock.json when the registry answers 404
for it (this workplace's registry mirrors only some platforms), and `npm ci` then refuses the
lock as out of sync. Each such package is recorded as optional, nested under the package that
asks for it, with no tarball: npm skips an optional package it cannot fetch, and none of these
is for linux-x64-gnu, the platform the project runs on. Run after `npm install` changes the lock.
"""
import json, sys

path = sys.argv[1] if len(sys.argv) > 1 else 'package-lock.json'
lock = json.load(open(path))
pk = lock['packages']

def resolve(frm, name):
    p = frm
    while True:
        cand = (p + '/node_modules/' if p else 'node_modules/') + name
        if cand in pk:
            return cand
        if not p:
            return None
        i = p.rfind('/node_modules/')
        p = p[:i] if i != -1 else ''

added = []
for frm, entry in list(pk.items()):
    for name, ver in (entry.get('optionalDependencies') or {}).items():
        found = resolve(frm, name)
        exact = all(c.isdigit() or c == '.' for c in ver)
        if found and (pk[found].get('version') == ver or not exact):
            continue
        if not exact:
            sys.exit(f'{name}@{ver} is missing from the lock and is not an exact version: resolve it by hand')
        if 'linux-x64-gnu' in name or name.endswith('linux-x64'):
            sys.exit(f'{name}@{ver} (needed on this platform) is missing from the lock: fix the install, do not paper over it')
        target = (frm + '/node_modules/' if frm else 'node_modules/') + name
        pk[target] = {'version': ver, 'optional': True}
        added.append(target)

lock['packages'] = dict(sorted(pk.items(), key=lambda kv: (kv[0] != '', kv[0])))
json.dump(lock, open(path, 'w'), indent=2)
open(path, 'a').write('\n')
print(f'recorded {len(added)} unavailable optional packages', *added, sep='\n  ')
