// verbatim: checks an offline proof bundle (docs/BUNDLE.md) entirely in the
// browser, with WebCrypto (SHA-256, ECDSA P-256, Ed25519). It is a second,
// independent implementation of BUNDLE.md's verification, including bundles
// whose key entries connect an archivist's key or a rotated root to the
// pinned root ("Several keys"); the Go one is bundle.Verify. Nothing here
// talks to the network: trust comes only from the key fingerprint the
// reader gives.
'use strict';

const verbatimBundle = (() => {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  const utf8 = new TextEncoder();
  const FORMAT = 'verbatim-bundle/v1';
  const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
  const KEY_TYPE = 'https://verbatim.dev/ledger/key/v1';
  const MAX_KEY_PROOFS = 256;

  // Fail is a bundle that does not prove what it claims; Malformed is one
  // that is not a bundle at all.
  class Fail extends Error {}
  class Malformed extends Error {}

  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const sha256 = async (b) => new Uint8Array(await subtle.digest('SHA-256', b));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let i = 0;
    for (const p of parts) { out.set(p, i); i += p.length; }
    return out;
  };
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  // b64 decodes standard, padded base64 and nothing else.
  function b64(s, what) {
    if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
      throw new Malformed(what + ' is not base64');
    }
    const bin = atob(s);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }

  // b64canon is b64 for the one canonical encoding only (FORMAT.md §3.1,
  // Go's records.DecodeBase64): its padding bits must be zero too.
  function b64canon(s, what) {
    const d = b64(s, what);
    const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
    if (pad && (B64.indexOf(s[s.length - pad - 1]) & (pad === 2 ? 0xf : 0x3))) throw new Malformed(what + ' is not canonical base64');
    return d;
  }
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  const toB64 = (b) => {
    let s = '';
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
    return btoa(s);
  };

  // hash32 decodes one canonical base64 hash of an inclusion proof.
  function hash32(s, what) {
    const d = b64canon(s, what);
    if (d.length !== 32) throw new Malformed(what + ' is ' + d.length + ' bytes, want 32');
    return d;
  }

  function decodeUTF8(b, what) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch (e) {
      throw new Malformed(what + ' is not UTF-8');
    }
  }

  function parseJSON(text, what) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Malformed(what + ' is not JSON: ' + e.message);
    }
  }

  // onlyKeys refuses an object with members other than keys, as Go's
  // DisallowUnknownFields does.
  function onlyKeys(o, keys, what) {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Malformed(what + ' is not an object');
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) throw new Malformed(what + ' has an unknown field "' + k + '"');
    }
  }

  const isIndex = (n) => Number.isSafeInteger(n) && n >= 0;

  // parseBundle is step 1: the bundle's form (BUNDLE.md, Encoding).
  function parseBundle(text) {
    if (text.length > (1 << 20)) throw new Malformed('the bundle is larger than 1 MiB');
    const b = parseJSON(text, 'the bundle');
    onlyKeys(b, ['format', 'ledger', 'entry', 'envelope', 'publicKey', 'inclusion', 'checkpoint', 'rootKey', 'keys'], 'the bundle');
    if (b.format !== FORMAT) throw new Malformed('the bundle\'s format is ' + JSON.stringify(b.format) + ', not ' + FORMAT);
    if (typeof b.ledger !== 'string' || !isIndex(b.entry)) throw new Malformed('the bundle needs a ledger name and an entry number');
    if (typeof b.envelope !== 'string' || !b.envelope || typeof b.publicKey !== 'string' || !b.publicKey ||
        typeof b.checkpoint !== 'string' || !b.checkpoint) {
      throw new Malformed('envelope, publicKey and checkpoint are required');
    }
    const inc = b.inclusion;
    onlyKeys(inc, ['leafIndex', 'treeSize', 'hashes'], 'the inclusion proof');
    if (!isIndex(inc.leafIndex) || !isIndex(inc.treeSize) || !Array.isArray(inc.hashes) || inc.hashes.length > 64) {
      throw new Malformed('the inclusion proof needs leafIndex, treeSize and at most 64 hashes');
    }
    // Base64 is read canonically, as Go's bundle.Parse reads it: a bundle
    // one verifier accepts, the other does too.
    const chain = parseKeyProofs(b);
    const hashes = inc.hashes.map((h, i) => hash32(h, 'inclusion hash ' + i));
    return { ledger: b.ledger, entry: b.entry, envelope: b64canon(b.envelope, 'the envelope'), publicKey: b.publicKey,
      leafIndex: inc.leafIndex, treeSize: inc.treeSize, hashes, checkpoint: b.checkpoint, ...chain };
  }

  // parseKeyProofs reads rootKey and keys (BUNDLE.md, "Several keys") as
  // bundle.checkKeysForm does: at most 256 key entries, each an entry
  // number, its envelope and at most 64 hashes of 32 bytes, all in
  // canonical base64. Absent or null means none, as for Go's decoder; a
  // bundle with neither a rootKey nor a key entry is verified as before.
  function parseKeyProofs(b) {
    const rootKey = b.rootKey == null ? '' : b.rootKey;
    const list = b.keys == null ? [] : b.keys;
    if (typeof rootKey !== 'string') throw new Malformed('the bundle\'s rootKey is not a PEM public key');
    if (!Array.isArray(list)) throw new Malformed('the bundle\'s keys is not a list of key entries');
    if (list.length > MAX_KEY_PROOFS) throw new Malformed(list.length + ' key entries, more than ' + MAX_KEY_PROOFS);
    const keys = list.map((k, i) => {
      const what = 'keys[' + i + ']';
      onlyKeys(k, ['entry', 'envelope', 'hashes'], what);
      const hs = k.hashes == null ? [] : k.hashes;
      if (!isIndex(k.entry) || typeof k.envelope !== 'string' || !Array.isArray(hs) || hs.length > 64) {
        throw new Malformed(what + ' needs an entry number, an envelope and at most 64 hashes');
      }
      return { entry: k.entry, envelope: b64canon(k.envelope, what + '.envelope'), hashes: hs.map((h, j) => hash32(h, what + ' hash ' + j)) };
    });
    return { chained: rootKey !== '' || keys.length > 0, rootKey, keys };
  }

  // DER SubjectPublicKeyInfo prefixes of the two key types verbatim uses.
  const P256_SPKI = Uint8Array.from([0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04]);
  const ED25519_SPKI = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

  function pemToDER(pem) {
    const m = /^\s*-----BEGIN PUBLIC KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----\s*$/.exec(pem);
    if (!m) throw new Malformed('the public key is not a PEM "PUBLIC KEY"');
    return b64(m[1].replace(/\s+/g, ''), 'the public key');
  }

  // pemOf is the canonical PEM of a DER key, as Go's pem.EncodeToMemory
  // writes it: 64-character base64 lines, one final newline.
  const pemOf = (der) => '-----BEGIN PUBLIC KEY-----\n' + toB64(der).replace(/.{1,64}/g, '$&\n') + '-----END PUBLIC KEY-----\n';

  // canonicalKey reads a bundle's PEM key field that must be the canonical
  // PEM of its key (bundle's parseCanonicalPEM).
  async function canonicalKey(pem, field) {
    const k = await within(field + ': ', async () => importKey(pemToDER(pem)));
    if (pem !== pemOf(k.der)) throw new Malformed(field + ' is not the canonical PEM of its key');
    return k;
  }

  // within runs f, prefixing the message of a Malformed or Fail it throws.
  async function within(prefix, f) {
    try {
      return await f();
    } catch (e) {
      if (e instanceof Malformed) throw new Malformed(prefix + e.message);
      if (e instanceof Fail) throw new Fail(prefix + e.message);
      throw e;
    }
  }

  // importKey reads a DER SubjectPublicKeyInfo: its fingerprint (FORMAT.md
  // §3.4: hex SHA-256 of the DER), algorithm and WebCrypto key.
  async function importKey(der) {
    let alg;
    if (der.length === P256_SPKI.length + 64 && equal(der.subarray(0, P256_SPKI.length), P256_SPKI)) {
      alg = { name: 'ECDSA', namedCurve: 'P-256' };
    } else if (der.length === ED25519_SPKI.length + 32 && equal(der.subarray(0, ED25519_SPKI.length), ED25519_SPKI)) {
      alg = { name: 'Ed25519' };
    } else {
      throw new Malformed('the public key is neither ECDSA P-256 nor Ed25519');
    }
    let key;
    try {
      key = await subtle.importKey('spki', der, alg, false, ['verify']);
    } catch (e) {
      throw new Malformed('the public key does not import: ' + e.message);
    }
    return { der, alg: alg.name, key, fingerprint: hex(await sha256(der)) };
  }

  // derToRaw converts an ASN.1 DER ECDSA signature to the r||s form
  // WebCrypto verifies, refusing anything but a strict DER SEQUENCE of two
  // INTEGERs of at most 32 bytes.
  function derToRaw(sig) {
    const fail = () => { throw new Fail('the ECDSA signature is not DER'); };
    if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) fail();
    let i = 2;
    const int = () => {
      if (sig[i] !== 0x02) fail();
      const n = sig[i + 1];
      let v = sig.subarray(i + 2, i + 2 + n);
      if (n === 0 || v.length !== n || (v[0] & 0x80) || (n > 1 && v[0] === 0 && !(v[1] & 0x80))) fail();
      i += 2 + n;
      if (v[0] === 0) v = v.subarray(1);
      if (v.length > 32) fail();
      return concat(new Uint8Array(32 - v.length), v);
    };
    const r = int();
    const s = int();
    if (i !== sig.length) fail();
    return concat(r, s);
  }

  // verifySig checks sig over msg: ECDSA P-256 signs SHA-256(msg) (ASN.1
  // DER signature), Ed25519 signs msg.
  async function verifySig(k, msg, sig) {
    if (k.alg === 'ECDSA') {
      return subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, k.key, derToRaw(sig), msg);
    }
    return subtle.verify({ name: 'Ed25519' }, k.key, sig, msg);
  }

  // P-256's group order halved: Go's keys.Verify refuses the high-S twin
  // of a valid ECDSA signature (s > n/2), which WebCrypto accepts.
  const P256_HALF_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n >> 1n;

  // verifyCanonical is verifySig refusing, as Go does, an ECDSA signature
  // that is not DER or not low-S; it answers false rather than throwing.
  async function verifyCanonical(k, msg, sig) {
    try {
      if (k.alg === 'ECDSA' && BigInt('0x' + hex(derToRaw(sig).subarray(32))) > P256_HALF_N) return false;
      return await verifySig(k, msg, sig);
    } catch (e) {
      if (e instanceof Fail) return false;
      throw e;
    }
  }

  // pae is DSSE's pre-authentication encoding.
  const pae = (type, payload) => concat(utf8.encode('DSSEv1 ' + utf8.encode(type).length + ' ' + type + ' ' + payload.length + ' '), payload);

  // parseEnvelope decodes the canonical DSSE envelope (FORMAT.md §3.1) and
  // its statement.
  function parseEnvelope(raw) {
    const text = decodeUTF8(raw, 'the envelope');
    const env = parseJSON(text, 'the envelope');
    onlyKeys(env, ['payloadType', 'payload', 'signatures'], 'the envelope');
    if (!Array.isArray(env.signatures) || env.signatures.length !== 1) throw new Malformed('the envelope must have exactly one signature');
    const s = env.signatures[0];
    onlyKeys(s, ['keyid', 'sig'], 'the envelope signature');
    const canonical = JSON.stringify({ payloadType: env.payloadType, payload: env.payload, signatures: [{ keyid: s.keyid, sig: s.sig }] });
    if (canonical !== text) throw new Malformed('the envelope is not in canonical form');
    if (env.payloadType !== PAYLOAD_TYPE) throw new Malformed('the envelope\'s payload type is not ' + PAYLOAD_TYPE);
    const payload = b64(env.payload, 'the envelope payload');
    const statement = parseJSON(decodeUTF8(payload, 'the statement'), 'the statement');
    if (statement === null || typeof statement !== 'object' || statement._type !== 'https://in-toto.io/Statement/v1' ||
        !Array.isArray(statement.subject) || statement.subject.length !== 1 ||
        !statement.predicate || typeof statement.predicate !== 'object') {
      throw new Malformed('the envelope does not hold an in-toto Statement v1 with one subject');
    }
    if (s.keyid !== statement.predicate.signer) throw new Malformed('the envelope\'s key id is not the statement\'s signer');
    return { payload, keyid: s.keyid, sig: b64(s.sig, 'the envelope signature'), statement };
  }

  // parseCheckpoint splits a signed note (C2SP signed-note) into its text and
  // signature lines, and reads the checkpoint body (FORMAT.md §5).
  function parseCheckpoint(note, origin) {
    const split = note.lastIndexOf('\n\n');
    if (split < 0) throw new Fail('the checkpoint is not a signed note');
    const text = note.slice(0, split + 1);
    const sigText = note.slice(split + 2);
    if (!sigText.endsWith('\n')) throw new Fail('the checkpoint\'s signature lines do not end with a newline');
    const sigs = sigText.slice(0, -1).split('\n').map((line) => {
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (!m) throw new Fail('the checkpoint has a malformed signature line');
      const b = b64(m[2], 'a checkpoint signature');
      if (b.length < 5) throw new Fail('the checkpoint has a short signature');
      return { name: m[1], hash: hex(b.subarray(0, 4)), sig: b.subarray(4) };
    });
    const lines = text.split('\n');
    if (lines.length !== 5 || lines[4] !== '') throw new Fail('the checkpoint body is not origin, size, root and entries lines');
    if (lines[0] !== origin) throw new Fail('the checkpoint is for ledger "' + lines[0] + '", not "' + origin + '"');
    if (!/^(0|[1-9][0-9]{0,19})$/.test(lines[1])) throw new Fail('the checkpoint size is not a number');
    const root = b64(lines[2], 'the checkpoint root');
    if (root.length !== 32) throw new Fail('the checkpoint root is not 32 bytes');
    if (!/^entries [0-9a-f]{40}$/.test(lines[3])) throw new Fail('the checkpoint has no entries line');
    return { text, sigs, size: BigInt(lines[1]), root };
  }

  // noteKeyHash is the signed-note key hash of the ledger key (FORMAT.md §5).
  async function noteKeyHash(k, name) {
    const h = k.alg === 'Ed25519'
      ? await sha256(concat(utf8.encode(name + '\n'), Uint8Array.of(0x01), k.der.subarray(ED25519_SPKI.length)))
      : await sha256(k.der);
    return hex(h.subarray(0, 4));
  }

  // rootFromInclusion is RFC 6962 §2.1.1 (as transparency-dev/merkle's
  // RootFromInclusionProof): the root a proof leads to from a leaf hash.
  async function rootFromInclusion(index, size, leaf, proof) {
    let idx = BigInt(index);
    const sz = BigInt(size);
    const node = (l, r) => sha256(concat(Uint8Array.of(0x01), l, r));
    const inner = (idx ^ (sz - 1n)).toString(2).replace(/^0+/, '').length;
    let border = 0;
    for (let x = idx >> BigInt(inner); x > 0n; x >>= 1n) border += Number(x & 1n);
    if (proof.length !== inner + border) {
      throw new Fail('the inclusion proof has ' + proof.length + ' hashes; entry ' + index + ' of ' + size + ' needs ' + (inner + border));
    }
    let h = leaf;
    for (let i = 0; i < inner; i++) {
      h = ((idx >> BigInt(i)) & 1n) === 0n ? await node(h, proof[i]) : await node(proof[i], h);
    }
    for (let i = inner; i < proof.length; i++) h = await node(proof[i], h);
    return h;
  }

  // trustedFingerprint reads what the reader typed: 64 hex digits, or a PEM
  // public key whose fingerprint it computes.
  async function trustedFingerprint(input) {
    const s = input.trim();
    if (/^[0-9a-fA-F]{64}$/.test(s)) return s.toLowerCase();
    if (s.includes('BEGIN PUBLIC KEY')) return (await importKey(pemToDER(s))).fingerprint;
    throw new Malformed('give the trusted key as its fingerprint (64 hex digits) or its PEM public key');
  }

  // Several keys (BUNDLE.md): the key entries that connect the version's
  // signer to the pinned root, checked as Go's bundle/keys.go does.

  // isKeyName is records.CheckKeyName: 1 to 64 bytes of UTF-8 without
  // control characters.
  const isKeyName = (n) => typeof n === 'string' && n !== '' && utf8.encode(n).length <= 64 && !/[\u0000-\u001f\u007f]/.test(n);

  // keyEvent reads a key entry's event (FORMAT.md §3.7) as records validates
  // it: the key's fingerprint is the SHA-256 of its DER, the subject names
  // the key, and the event has exactly the fields its action uses.
  async function keyEvent(st, what) {
    const ev = st.predicate.key;
    onlyKeys(ev, ['action', 'key', 'name', 'reason'], what + '\'s key event');
    onlyKeys(ev.key, ['fingerprint', 'algorithm', 'publicKey'], what + '\'s key');
    if (ev.key.algorithm !== 'ecdsa-p256' && ev.key.algorithm !== 'ed25519') throw new Malformed(what + '\'s key algorithm is not ecdsa-p256 or ed25519');
    const der = b64canon(ev.key.publicKey, what + '\'s public key');
    const fp = hex(await sha256(der));
    const sub = st.subject[0];
    if (der.length === 0 || ev.key.fingerprint !== fp) throw new Malformed(what + '\'s key fingerprint does not match its public key');
    if (!sub || sub.name !== fp || !sub.digest || sub.digest.sha256 !== fp) throw new Malformed(what + '\'s subject is not its key\'s fingerprint');
    const ok = ev.action === 'revoke'
      ? ev.name === undefined && (ev.reason === 'retired' || ev.reason === 'compromised')
      : (ev.action === 'add' || ev.action === 'rotate') && ev.reason === undefined && isKeyName(ev.name);
    if (!ok) throw new Malformed(what + ' is not an add, revoke or rotate event with the fields its action uses');
    return { action: ev.action, fingerprint: fp, der, name: ev.name || '' };
  }

  // replayKeys is bundle.replayKeys: in increasing entry order after the
  // genesis, each key entry must be a key entry of the ledger signed
  // (keyid and signature) by the current root, starting at first; a rotate
  // entry makes its key the root from the next entry on, an add or revoke
  // entry records its key as added or revoked at it.
  async function replayKeys(b, first) {
    const kc = { roots: [first], since: [0], added: new Map(), revoked: new Map(), names: new Map() };
    for (let i = 0; i < b.keys.length; i++) {
      const k = b.keys[i];
      if (k.entry === 0 || (i > 0 && k.entry <= b.keys[i - 1].entry)) {
        throw new Malformed('key entries must be in increasing entry order, after the genesis');
      }
      const what = 'key entry ' + k.entry;
      const env = await within(what + ': ', async () => parseEnvelope(k.envelope));
      const st = env.statement;
      const ev = st.predicateType === KEY_TYPE ? await keyEvent(st, what) : null;
      const root = kc.roots[kc.roots.length - 1];
      if (!ev || st.predicate.entry !== k.entry || st.predicate.ledger !== b.ledger) {
        throw new Fail('entry ' + k.entry + ' is not a key entry of ' + b.ledger);
      }
      if (env.keyid !== root.fingerprint || !await verifyCanonical(root, pae(PAYLOAD_TYPE, env.payload), env.sig)) {
        throw new Fail(what + ' is not signed by the root key of its time ' + root.fingerprint.slice(0, 16));
      }
      if (ev.name) kc.names.set(ev.fingerprint, ev.name);
      if (ev.action === 'add') kc.added.set(ev.fingerprint, k.entry);
      if (ev.action === 'revoke') kc.revoked.set(ev.fingerprint, k.entry);
      if (ev.action === 'rotate') {
        kc.roots.push(await within(what + ': ', async () => importKey(ev.der)));
        kc.since.push(k.entry + 1);
      }
    }
    kc.rootAt = (n) => kc.roots[kc.since.filter((s) => n >= s).length - 1];
    return kc;
  }

  // authorizes is keyChain.authorizes: the key fp could sign entry n if it
  // is the root then, or was added before n and not revoked before n. It
  // returns how, for the page.
  function authorizes(kc, fp, n) {
    if (kc.rootAt(n).fingerprint === fp) return 'it was the root key then';
    const at = kc.added.get(fp);
    if (at === undefined || at >= n) {
      throw new Fail('the bundle does not show that key ' + fp.slice(0, 16) + ' was authorized at entry ' + n + ' (no add entry before it)');
    }
    const r = kc.revoked.get(fp);
    if (r !== undefined && r < n) throw new Fail('key ' + fp.slice(0, 16) + ' was revoked by entry ' + r + ', before entry ' + n);
    return 'the root added it by entry ' + at;
  }

  // leadsTo reports whether hashes are an RFC 6962 inclusion proof of the
  // entry data at index in a tree of size with the given root.
  async function leadsTo(index, size, data, hashes, root) {
    const leaf = await sha256(concat(Uint8Array.of(0x00), data));
    try {
      return equal(await rootFromInclusion(index, size, leaf, hashes), root);
    } catch (e) {
      if (e instanceof Fail) return false; // a proof of the wrong length
      throw e;
    }
  }

  const keyEntries = (n) => n + (n === 1 ? ' key entry' : ' key entries');

  // chainStep says what replayKeys established.
  function chainStep(b, kc) {
    const n = b.keys.length;
    const entries = n === 0 ? 'The bundle has no key entry'
      : (n === 1 ? 'The bundle\'s key entry' : 'Each of the bundle\'s ' + keyEntries(n)) + ' is a key entry of ' + b.ledger + ' signed by the root key of its time';
    return entries + '; ' + (kc.roots.length === 1 ? 'the root key: ' : 'the root keys, first to last: ') +
      kc.roots.map((r) => r.fingerprint.slice(0, 16)).join(' → ') + '.';
  }

  // verifyChained is bundle's verifyChained: BUNDLE.md's steps with
  // "Several keys" 1 to 5 in place of 2, 3 and 6.
  async function verifyChained(b, doc, trust, step) {
    const pub = await canonicalKey(b.publicKey, 'publicKey');
    const first = b.rootKey ? await canonicalKey(b.rootKey, 'rootKey') : pub;
    const env = parseEnvelope(b.envelope);
    await checkEntry(b, env, pub, doc, step,
      { verify: verifyCanonical, signed: 'The entry\'s DSSE envelope is signed by the bundle\'s key ' + pub.fingerprint + ' (' + pub.alg + ').' });
    const kc = await replayKeys(b, first);
    const last = kc.roots[kc.roots.length - 1];
    step(chainStep(b, kc));
    if (trust !== first.fingerprint && trust !== last.fingerprint) {
      throw new Fail('the trusted key ' + trust + ' is neither the bundle\'s first root ' + first.fingerprint + ' nor its last ' +
        last.fingerprint + ' (pin the genesis or the current root)');
    }
    step('The key you trust is ' + (first === last ? 'the ledger\'s root key' : trust === first.fingerprint ? 'the first (genesis) root' : 'the last (current) root') + '.');
    const name = kc.names.get(pub.fingerprint) || '';
    step('The entry\'s signer' + (name ? ' "' + name + '"' : '') + ' could sign entry ' + b.entry + ': ' + authorizes(kc, pub.fingerprint, b.entry) + '.');
    await checkRootCheckpoint(b, last, step);
    const p = env.statement.predicate;
    const d = p.document;
    return { doc: d.id, version: d.version, title: d.title || '', time: p.time, signer: p.signer, signerName: name,
      roots: kc.roots.map((r) => r.fingerprint), entry: b.entry, ledger: b.ledger, treeSize: b.treeSize };
  }

  // checkRootCheckpoint is "Several keys" 4 and 5 and step 8: the
  // checkpoint is signed by the last root, and the entry and every key
  // entry are in its tree.
  async function checkRootCheckpoint(b, last, step) {
    const must = 'the checkpoint must be signed by the root key ' + last.fingerprint.slice(0, 16) + ': ';
    const cp = await within(must, async () => parseCheckpoint(b.checkpoint, b.ledger));
    const signed = await checkpointSignature(cp, last, b.ledger, verifyCanonical);
    if (signed !== 'ok') throw new Fail(must + (signed === 'none' ? 'it carries no signature by that key' : 'its signature does not verify: the checkpoint was altered'));
    step('The checkpoint of ' + cp.size + ' entries is signed by the last root key.');
    if (cp.size !== BigInt(b.treeSize) || b.leafIndex !== b.entry || b.leafIndex >= b.treeSize) {
      throw new Fail('the inclusion proof is for entry ' + b.leafIndex + ' of ' + b.treeSize + ', the bundle for entry ' + b.entry + ' of the checkpoint\'s ' + cp.size);
    }
    if (!await leadsTo(b.leafIndex, b.treeSize, b.envelope, b.hashes, cp.root)) {
      throw new Fail('the inclusion proof does not lead from the entry to the checkpoint\'s root');
    }
    step('The RFC 6962 inclusion proof leads from the entry to the checkpoint\'s root.');
    for (const k of b.keys) {
      if (BigInt(k.entry) >= cp.size) throw new Fail('key entry ' + k.entry + ' is not in the checkpoint of ' + cp.size + ' entries');
      if (!await leadsTo(k.entry, cp.size, k.envelope, k.hashes, cp.root)) {
        throw new Fail('the inclusion proof of key entry ' + k.entry + ' does not lead to the checkpoint\'s root');
      }
    }
    step('Each key entry\'s RFC 6962 inclusion proof leads to the checkpoint\'s root.');
  }

  // checkEntry is steps 3 to 5: the envelope is signed by k (with how.verify)
  // and registers doc's exact bytes as entry b.entry of b.ledger.
  async function checkEntry(b, env, k, doc, step, how) {
    const p = env.statement.predicate;
    if (env.keyid !== k.fingerprint) throw new Fail('the envelope is signed by key ' + env.keyid + ', not the bundle\'s key');
    if (!await how.verify(k, pae(PAYLOAD_TYPE, env.payload), env.sig)) {
      throw new Fail('the envelope\'s signature does not verify: it was altered');
    }
    step(how.signed);
    const d = p.document;
    if (!d || typeof d !== 'object') throw new Fail('entry ' + p.entry + ' registers no document');
    if (p.ledger !== b.ledger || p.entry !== b.entry) {
      throw new Fail('the envelope is entry ' + p.entry + ' of ' + p.ledger + '; the bundle claims entry ' + b.entry + ' of ' + b.ledger);
    }
    step('The entry is entry ' + b.entry + ' of ledger ' + b.ledger + ' and registers a document.');
    const sum = hex(await sha256(doc));
    const want = env.statement.subject[0] && env.statement.subject[0].digest && env.statement.subject[0].digest.sha256;
    if (sum !== want) {
      throw new Fail('the document is not the registered version: its SHA-256 is ' + sum.slice(0, 16) + '…, the bundle proves ' +
        String(want).slice(0, 16) + '… (' + d.id + ' version ' + d.version + ')');
    }
    if (doc.length !== d.size) throw new Fail('the document is ' + doc.length + ' bytes; the entry records ' + d.size);
    step('The document\'s SHA-256 and size are the ones the signed entry records.');
  }

  // checkpointSignature is 'ok' if cp carries signature lines of the key k
  // under the ledger's name and each verifies, 'none' if it has none, else
  // 'bad'.
  async function checkpointSignature(cp, k, ledger, verifyFn) {
    const keyHash = await noteKeyHash(k, ledger);
    const mine = cp.sigs.filter((s) => s.name === ledger && s.hash === keyHash);
    if (mine.length === 0) return 'none';
    for (const s of mine) {
      if (!await verifyFn(k, utf8.encode(cp.text), s.sig)) return 'bad';
    }
    return 'ok';
  }

  // verifySingle is BUNDLE.md's steps 2 to 8, for a bundle whose one key
  // signs the entry and the checkpoint.
  async function verifySingle(b, doc, trust, step) {
    const k = await canonicalKey(b.publicKey, 'publicKey');
    if (k.fingerprint !== trust) {
      throw new Fail('the bundle\'s key ' + k.fingerprint + ' is not the key you trust (' + trust + ')');
    }
    step('The bundle\'s public key (' + k.alg + ') has the fingerprint you gave.');
    const env = parseEnvelope(b.envelope);
    const p = env.statement.predicate;
    await checkEntry(b, env, k, doc, step, { verify: verifyCanonical, signed: 'The entry\'s DSSE envelope is signed by that key.' });
    const cp = parseCheckpoint(b.checkpoint, b.ledger);
    const signed = await checkpointSignature(cp, k, b.ledger, verifyCanonical);
    if (signed === 'none') throw new Fail('the checkpoint is not signed by the ledger key');
    if (signed === 'bad') throw new Fail('the checkpoint\'s signature does not verify: it was altered');
    step('The checkpoint of ' + cp.size + ' entries is signed by the ledger key.');
    if (cp.size !== BigInt(b.treeSize)) {
      throw new Fail('the inclusion proof is for a tree of ' + b.treeSize + ' entries, the checkpoint for ' + cp.size);
    }
    if (b.leafIndex !== b.entry || b.leafIndex >= b.treeSize) {
      throw new Fail('the inclusion proof is for entry ' + b.leafIndex + ' of ' + b.treeSize + ', the bundle for entry ' + b.entry);
    }
    const leaf = await sha256(concat(Uint8Array.of(0x00), b.envelope));
    const root = await rootFromInclusion(b.leafIndex, b.treeSize, leaf, b.hashes);
    if (!equal(root, cp.root)) throw new Fail('the inclusion proof does not lead from the entry to the checkpoint\'s root');
    step('The RFC 6962 inclusion proof leads from the entry to the checkpoint\'s root.');
    const d = p.document;
    return { doc: d.id, version: d.version, title: d.title || '', time: p.time, signer: p.signer,
      entry: b.entry, ledger: b.ledger, treeSize: b.treeSize };
  }

  // verify runs BUNDLE.md's steps. It returns what the bundle proves and
  // the steps that passed; it throws Fail or Malformed at the first that
  // does not, with the steps that passed before it in err.steps.
  async function verify(bundleText, doc, trustInput) {
    if (!subtle) throw new Fail('this browser has no WebCrypto (it needs a secure context: https or localhost)');
    const steps = [];
    const step = (s) => steps.push(s);
    try {
      const trust = await trustedFingerprint(trustInput);
      const b = parseBundle(bundleText);
      step('The bundle is well formed (' + FORMAT + ')' + (b.chained ? ', with ' + keyEntries(b.keys.length) + '.' : '.'));
      const r = b.chained ? await verifyChained(b, doc, trust, step) : await verifySingle(b, doc, trust, step);
      return { steps, ...r };
    } catch (e) {
      e.steps = steps;
      throw e;
    }
  }

  return { verify, Fail, Malformed };
})();

// The page: read the inputs, run verify, show the answer. All text goes in
// with textContent, never as HTML.
(() => {
  if (typeof document === 'undefined') return;
  const $ = (id) => document.getElementById(id);
  const form = $('offline-form');
  if (!form) return;
  form.hidden = false;

  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };

  async function inputBytes(fileInput, textArea) {
    if (fileInput.files.length > 0) {
      return { bytes: new Uint8Array(await fileInput.files[0].arrayBuffer()), from: 'the file ' + fileInput.files[0].name };
    }
    return { bytes: new TextEncoder().encode(textArea.value), from: 'the text you pasted (UTF-8, line endings LF)' };
  }

  function show(ok, heading, lines, steps, failed) {
    const out = $('offline-result');
    out.replaceChildren();
    const box = el('div', undefined, 'answer ' + (ok ? 'ok' : 'bad'));
    box.id = 'offline-answer';
    box.dataset.result = ok ? 'verified' : 'failed';
    box.setAttribute('role', ok ? 'status' : 'alert');
    box.append(el('h3', heading));
    for (const l of lines) box.append(el('p', l));
    if (steps.length || failed) {
      box.append(el('p', 'Checked in this browser, with nothing from the server but this page\'s code:'));
      const ul = el('ul', undefined, 'steps');
      for (const s of steps) ul.append(el('li', s));
      if (failed) ul.append(el('li', failed, 'fail'));
      box.append(ul);
    }
    box.append(el('p', 'Taken from the server: only this page and its script (verify.js). The document, the bundle and the key ' +
      'fingerprint came from you; nothing was sent anywhere. If you do not trust this server to send honest code, save this ' +
      'page from a source you trust, or run verbatim check --bundle on your own computer.', 'small'));
    out.append(box);
  }

  $('offline-check').addEventListener('click', async () => {
    const bundleIn = await inputBytes($('bundle-file'), $('bundle-text'));
    const docIn = await inputBytes($('doc-file'), $('doc-text'));
    if (bundleIn.bytes.length === 0) return show(false, 'No bundle', ['Choose the bundle file or paste its JSON.'], []);
    let bundleText;
    try {
      bundleText = new TextDecoder('utf-8', { fatal: true }).decode(bundleIn.bytes);
    } catch (e) {
      return show(false, 'Not a bundle', ['The bundle is not UTF-8 text.'], []);
    }
    try {
      const r = await verbatimBundle.verify(bundleText, docIn.bytes, $('fp').value);
      show(true, 'Verified: registered', [
        'The document (' + docIn.from + ') is ' + r.doc + ' version ' + r.version + (r.title ? ', "' + r.title + '"' : '') +
        ', entry ' + r.entry + ' of ledger ' + r.ledger + ', registered ' + r.time + ' by key ' + r.signer +
        (r.signerName ? ' ("' + r.signerName + '")' : '') + '.',
        'The ledger\'s signed checkpoint of ' + r.treeSize + ' entries includes it.'].concat(r.roots
        ? ['The bundle\'s key entries connect the signer to the key you trust; ' +
          (r.roots.length === 1 ? 'the ledger\'s root key: ' : 'the ledger\'s root keys, first to last: ') + r.roots.join(' → ') + '.']
        : []), r.steps);
    } catch (e) {
      const bad = e instanceof verbatimBundle.Malformed ? 'Not a valid bundle' : 'Verification FAILED';
      show(false, bad, ['The bundle does not prove this document under the key you gave.'], e.steps || [], e.message);
    }
  });
})();
