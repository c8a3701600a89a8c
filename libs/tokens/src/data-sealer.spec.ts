import { DataSealer } from './data-sealer';
import { TokenKeyRing, generateStoredKey } from './token-key-ring';

describe('DataSealer', () => {
  const ring = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const sealer = new DataSealer(ring);

  it('seals data so the ciphertext does not reveal it, and opens it again with the ring', async () => {
    const data = { userId: 'u-1', details: { email: 'fikayo@ductape.app' } };
    const sealed = await sealer.seal(data);

    expect(sealed).not.toContain('fikayo');
    expect(Buffer.from(sealed.split('.')[3], 'base64url').toString('latin1')).not.toContain('fikayo');
    expect(await sealer.open(sealed)).toEqual(data);
  });

  it('cannot open data sealed with a key outside its ring', async () => {
    const other = new DataSealer(TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] }));
    await expect(sealer.open(await other.seal({ a: 1 }))).rejects.toThrow();
  });
});

describe('DataSealer opened-value cache', () => {
  it('opens the same sealed text to the same value again, frozen so no caller can change it for the next', async () => {
    const sealer = new DataSealer(TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] }));
    const sealed = await sealer.seal({ userId: 'u1', details: { plan: 'pro' } });
    const first = await sealer.open(sealed);
    expect(await sealer.open(sealed)).toEqual({ userId: 'u1', details: { plan: 'pro' } });
    expect(Object.isFrozen(first) && Object.isFrozen(first.details)).toBe(true);
  });
});
