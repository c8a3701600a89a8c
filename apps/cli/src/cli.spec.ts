import { KeyFile, TokenKeyRing } from '@waymark/tokens';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text), env }, out, err };
}

describe('waymark CLI', () => {
  it('lists its commands on --help and refuses an unknown one with exit 2', async () => {
    const help = capture();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.out[0]).toContain('keys generate');
    const unknown = capture();
    expect(await runCli(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err[0]).toContain('unknown command: frobnicate');
  });

  it('generates a key file, rotates it, retires the old key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-cli-'));
    const file = join(dir, 'keys.json');
    expect(await runCli(['keys', 'generate', '--out', file], capture().io)).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const first = (JSON.parse(readFileSync(file, 'utf8')) as KeyFile).keys[0].kid;
    expect(await runCli(['keys', 'generate', '--out', file], capture().io)).toBe(2);

    expect(await runCli(['keys', 'rotate', '--file', file], capture().io)).toBe(0);
    const rotated = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
    expect(rotated.keys).toHaveLength(2);
    expect(rotated.keys[1].kid).toBe(first);
    expect(TokenKeyRing.fromKeyFile(rotated).activeKid).toBe(rotated.keys[0].kid);

    const activeRetire = capture();
    expect(await runCli(['keys', 'rotate', '--file', file, '--retire', rotated.keys[0].kid], activeRetire.io)).toBe(2);
    expect(activeRetire.err[0]).toContain('is the active key');
    expect(await runCli(['keys', 'rotate', '--file', file, '--retire', first], capture().io)).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as KeyFile).keys.map((key) => key.kid)).toEqual([rotated.keys[0].kid]);
  });

  it('mints an API key whose entry holds only the hash', async () => {
    const run = capture();
    expect(await runCli(['api-keys', 'create', '--product', 'shop', '--roles', 'secret,read', '--envs', 'snd', '--rate', '100:200'], run.io)).toBe(0);
    const { key, entry } = JSON.parse(run.out[0]);
    expect(key).toMatch(/^wmk_[a-z0-9]{12}_/);
    expect(entry).toMatchObject({ id: key.slice(4, 16), product: 'shop', envs: ['snd'], roles: ['secret', 'read'], rateLimit: { perSecond: 100, burst: 200 } });
    expect(JSON.stringify(entry)).not.toContain(key.slice(17));

    const bad = capture();
    expect(await runCli(['api-keys', 'create', '--product', 'shop', '--roles', 'root'], bad.io)).toBe(2);
    expect(bad.err[0]).toContain('--roles');
  });
});
