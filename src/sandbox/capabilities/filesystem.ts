// wasi:filesystem with no preopened directory: a guest can name the types but can never obtain
// a descriptor, so there is no local storage. Every method refuses with `access`.
const ACCESS = 'access';

class Descriptor {
  constructor() {
    throw ACCESS;
  }
}
class DirectoryEntryStream {
  readDirectoryEntry(): never {
    throw ACCESS;
  }
}

export function wasiFilesystem() {
  return {
    'wasi:filesystem/types': {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: () => undefined,
    },
    'wasi:filesystem/preopens': { getDirectories: (): [] => [] },
  };
}
