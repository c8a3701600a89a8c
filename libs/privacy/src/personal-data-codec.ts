import { EventEnvelope, IDENTIFIER_ERASED, REFRESH_TOKEN_REUSED, SESSION_STARTED } from '@waymark/domain';
import { CompactJwe, DataSealer, SEALED_DATA_TYPE, TokenKeyRing } from '@waymark/tokens';
import { UserKeys } from './user-keys';

type Data = Record<string, unknown>;

export interface DecodeOptions {
  /**
   * Leave SessionStarted's data (and a RefreshTokenReused's request metadata) sealed with the user's key instead of re-sealing it with
   * the token keys. The read model takes it so (an AES-GCM decryption and encryption
   * per session start less in the projector, and a copy of ClickHouse cannot open an
   * erased user's data even with the token keys); its readers open it with UserDataOpener.
   */
  userSealedData?: boolean;
}

/**
 * The member of `data` each event type keeps personal data in, sealed: a session's data
 * (SessionStarted) and a reuse incident's request metadata, the user agent and IP
 * (RefreshTokenReused). Stored sealed with the user's key, so an erasure covers them.
 */
const SEALED_MEMBER: Readonly<Record<string, string>> = { [SESSION_STARTED]: 'sealedData', [REFRESH_TOKEN_REUSED]: 'sealedRequest' };

/** Legacy lookups remembered; past this the memory is dropped and refilled from the store. */
const MAX_LEGACY_LOOKUPS = 100_000;

/**
 * Turns events into the form they are stored in (the log, Kafka) and back.
 *
 * Stored form: the identifier is replaced by the user's subject id, and the session
 * data sealed with the service's token keys is sealed again with the user's own key.
 * Decoded form: exactly the envelope the command handlers made, so every consumer
 * (projector, replay, store rebuilds, export) works on what it always did. A stored
 * event whose user's key is gone does not decode: the user was erased, and no replay
 * or redrive can bring them back.
 *
 * Events that concern no user (session specs, IdentifierErased) have an empty
 * identifier and pass unchanged. Events written before crypto-shredding existed carry
 * their identifier in the clear; they decode unless that identifier was erased since.
 */
export class PersonalDataCodec {
  private readonly serviceData: CompactJwe;
  /** Lookups of clear (legacy) identifiers already checked against the erasures: true when erased. */
  private readonly legacyErased = new Map<string, boolean>();

  constructor(
    readonly keys: UserKeys,
    tokenKeys: TokenKeyRing,
    /** Where the API seals session data: it remembers what it just sealed, which spares encode a decryption. */
    private readonly sealer?: Pick<DataSealer, 'plaintextOf'>,
  ) {
    this.serviceData = new CompactJwe(tokenKeys, SEALED_DATA_TYPE);
  }

  /** Makes sure every user of these events has a key (creating the missing ones durably), so `encode` can run. */
  async prepareEncode(events: readonly EventEnvelope[]): Promise<void> {
    const byProduct = new Map<string, Set<string>>();
    for (const event of events) {
      if (event.identifier === '' || event.subject !== undefined) continue;
      let identifiers = byProduct.get(event.product);
      if (!identifiers) byProduct.set(event.product, (identifiers = new Set()));
      identifiers.add(event.identifier);
    }
    for (const [product, identifiers] of byProduct) await this.keys.ensure(product, identifiers);
  }

  /** The stored form of an event (after `prepareEncode` for it resolved). */
  encode(event: EventEnvelope): EventEnvelope {
    if (event.identifier === '' || event.subject !== undefined) return event;
    const key = this.keys.keyOf(event.product, event.identifier);
    if (!key) throw new Error(`no user key prepared for an event of product ${event.product}: call prepareEncode first`);
    const stored: EventEnvelope = { ...event, identifier: '', subject: key.subject };
    const member = SEALED_MEMBER[event.type];
    const data = event.data as Data;
    // A reuse incident without request metadata has nothing sealed; a start always has.
    if (member !== undefined && (event.type === SESSION_STARTED || data[member] !== undefined)) {
      const sealed = data[member];
      const plaintext = typeof sealed === 'string' ? (this.sealer ? this.sealer.plaintextOf(sealed) : this.serviceData.decrypt(sealed)) : undefined;
      if (plaintext !== undefined) stored.data = { ...data, [member]: key.data.encrypt(plaintext) };
      // Already sealed with the user's key (an event restored from the read model, which
      // keeps it so): stored as it is.
      else if (typeof sealed !== 'string' || key.data.decrypt(sealed) === undefined) {
        throw new Error(`${event.type} ${event.id}: its ${member} is sealed neither with the token keys nor with the user's key`);
      }
    }
    return stored;
  }

  async encodeAll(events: readonly EventEnvelope[]): Promise<EventEnvelope[]> {
    await this.prepareEncode(events);
    return events.map((event) => this.encode(event));
  }

  /** Loads what `decode` needs for these stored events: their subjects' keys, and the erasures of any clear identifier. */
  async prepareDecode(events: readonly EventEnvelope[]): Promise<void> {
    const subjects = new Set<string>();
    const legacy = new Map<string, true>();
    for (const event of events) {
      if (event.subject !== undefined) subjects.add(event.subject);
      else if (event.identifier !== '') {
        const lookup = this.keys.lookupOf(event.product, event.identifier);
        if (!this.legacyErased.has(lookup)) legacy.set(lookup, true);
      }
    }
    if (subjects.size > 0) await this.keys.loadSubjects(subjects);
    if (legacy.size > 0) {
      const erasures = await this.keys.store.findErasures([...legacy.keys()]);
      for (const lookup of legacy.keys()) {
        if (this.legacyErased.size >= MAX_LEGACY_LOOKUPS) this.legacyErased.clear();
        this.legacyErased.set(lookup, erasures.has(lookup));
      }
    }
  }

  /**
   * The event as the handlers made it, or undefined when its user was erased. Call
   * `prepareDecode` for the batch first. Reading an IdentifierErased forgets the
   * subject's key here too, so a long-running consumer never uses a destroyed key.
   */
  decode(event: EventEnvelope, options: DecodeOptions = {}): EventEnvelope | undefined {
    if (event.type === IDENTIFIER_ERASED) {
      const subject = (event.data as Data).subject;
      if (typeof subject === 'string') this.keys.forget(subject);
      return event;
    }
    if (event.subject === undefined) {
      if (event.identifier === '') return event;
      return this.legacyErased.get(this.keys.lookupOf(event.product, event.identifier)) === true ? undefined : event;
    }
    const key = this.keys.keyOfSubject(event.subject);
    if (key === null) return undefined;
    if (key === undefined) throw new Error('subject not loaded: call prepareDecode for the batch first');
    // Written out rather than spread without `subject`: this runs per event in the projector.
    const decoded: EventEnvelope = {
      id: event.id,
      type: event.type,
      version: event.version,
      occurredAt: event.occurredAt,
      product: event.product,
      env: event.env,
      tag: event.tag,
      sessionId: event.sessionId,
      identifier: key.identifier,
      data: event.data,
      meta: event.meta,
    };
    const member = SEALED_MEMBER[event.type];
    if (member !== undefined && options.userSealedData !== true) {
      const data = event.data as Data;
      const sealed = data[member];
      const plaintext = typeof sealed === 'string' ? key.data.decrypt(sealed) : undefined;
      // A value that does not open under the user's key stays as it is: readers that
      // try to open it say it cannot be opened, as for any damaged sealed value.
      if (plaintext !== undefined) decoded.data = { ...data, [member]: this.serviceData.encrypt(plaintext) };
    }
    return decoded;
  }

  /** Marks a clear identifier erased here at once (its erasure was just recorded by this process). */
  noteLegacyErased(product: string, identifier: string): void {
    this.legacyErased.set(this.keys.lookupOf(product, identifier), true);
  }
}
