import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';

/** What the console's build holds; nothing else has a content type here, so nothing else is served. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  /** Asset names carry a content hash (Vite): one name, one content, forever. */
  immutable: boolean;
}

/**
 * The console's built files (dist/console, from `npm run build:console`), read once
 * into memory: a few hundred kilobytes, served without a disk read or a path taken
 * from the URL ever reaching the file system.
 */
export class ConsoleFiles {
  private files = new Map<string, ConsoleFile>();

  constructor(private readonly candidates: readonly string[]) {
    this.load();
  }

  /** Where the build is: beside the API's bundle (dist/apps/api → dist/console), or dist/console of the tree when run from sources (tests). */
  static locate(): ConsoleFiles {
    return new ConsoleFiles([
      resolve(__dirname, '..', '..', 'console'),
      resolve(__dirname, '..', '..', '..', '..', 'dist', 'console'),
      resolve(process.cwd(), 'dist', 'console'),
    ]);
  }

  get built(): boolean {
    return this.files.has('index.html');
  }

  /** `assets/index-abc123.js` → the file; undefined when the build has no such file. */
  get(path: string): ConsoleFile | undefined {
    // A build made after the API started (a developer running build:console) is picked up.
    if (!this.built) this.load();
    return this.files.get(path);
  }

  private load(): void {
    // The build is told apart from the sources (apps/console has an index.html too) by Vite's manifest.
    const root = this.candidates.find((dir) => existsSync(join(dir, '.vite', 'manifest.json')));
    if (!root) return;
    const files = new Map<string, ConsoleFile>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith('.')) continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (Object.hasOwn(CONTENT_TYPES, extname(entry.name))) {
          const name = relative(root, path).split(sep).join('/');
          files.set(name, { body: readFileSync(path), contentType: CONTENT_TYPES[extname(entry.name)], immutable: name.startsWith('assets/') });
        }
      }
    };
    walk(root);
    this.files = files;
  }
}
