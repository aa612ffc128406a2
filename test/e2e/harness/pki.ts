// E2E harness: keys and X.509 certificates made with openssl: signing keys,
// a root and an intermediate CA with a code-signing leaf (BYOPKI), and a CA
// standing in for Fulcio whose leaf carries the OIDC issuer extension and an
// email SAN, as Fulcio issues them.

import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runOk } from './proc.ts'

export interface KeyPair {
  readonly privatePem: string
  readonly publicPem: string
  readonly keyPath: string
}

export interface Cert {
  readonly pem: string
  readonly path: string
  readonly key: KeyPair
}

/** Fulcio's OIDC issuer extension (raw string value), and its v2 (DER UTF8String) successor. */
export const OID_FULCIO_ISSUER = '1.3.6.1.4.1.57264.1.1'
export const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8'

export class Openssl {
  private readonly openssl: string
  private readonly dir: string

  /** Runs `openssl` (a path) and writes every key, request and certificate under `dir`. */
  constructor(openssl: string, dir: string) {
    this.openssl = openssl
    this.dir = dir
  }

  private file(name: string): string {
    return join(this.dir, name)
  }

  /** A P-256 key pair (PKCS#8 private key PEM, SubjectPublicKeyInfo PEM). */
  async key(name: string): Promise<KeyPair> {
    const keyPath = this.file(`${name}.key`)
    const pubPath = this.file(`${name}.pub`)
    await runOk(this.openssl, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath])
    await runOk(this.openssl, ['pkey', '-in', keyPath, '-pubout', '-out', pubPath])
    return { privatePem: readFileSync(keyPath, 'utf8'), publicPem: readFileSync(pubPath, 'utf8'), keyPath }
  }

  private config(name: string, extensions: readonly string[]): string {
    const path = this.file(`${name}.cnf`)
    writeFileSync(path, ['[req]', 'distinguished_name = dn', '[dn]', '[v3]', ...extensions, ''].join('\n'))
    return path
  }

  /** A self-signed CA certificate, valid from now for one day. */
  async rootCa(name: string, subject: string): Promise<Cert> {
    const key = await this.key(name)
    const path = this.file(`${name}.pem`)
    const config = this.config(name, [
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
    ])
    await runOk(this.openssl, ['req', '-new', '-x509', '-config', config, '-extensions', 'v3', '-key', key.keyPath,
      '-subj', subject, '-days', '1', '-sha256', '-out', path])
    return { pem: readFileSync(path, 'utf8'), path, key }
  }

  /** A certificate for a new key, issued by `issuer`, with the given v3 extension lines. */
  async issue(name: string, issuer: Cert, subject: string, extensions: readonly string[]): Promise<Cert> {
    const key = await this.key(name)
    const csr = this.file(`${name}.csr`)
    const path = this.file(`${name}.pem`)
    const config = this.config(name, [...extensions, 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'])
    await runOk(this.openssl, ['req', '-new', '-config', config, '-key', key.keyPath, '-subj', subject, '-out', csr])
    await runOk(this.openssl, ['x509', '-req', '-in', csr, '-CA', issuer.path, '-CAkey', issuer.key.keyPath,
      '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', '1', '-sha256',
      '-extfile', config, '-extensions', 'v3', '-out', path])
    return { pem: readFileSync(path, 'utf8'), path, key }
  }

  /** An intermediate CA under `issuer`. */
  intermediateCa(name: string, issuer: Cert, subject: string): Promise<Cert> {
    return this.issue(name, issuer, subject, ['basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign'])
  }

  /** A code-signing leaf with the given subjectAltName value (e.g. `email:a@b,DNS:c`). */
  codeSigningLeaf(name: string, issuer: Cert, subject: string, subjectAltName: string, extra: readonly string[] = []): Promise<Cert> {
    return this.issue(name, issuer, subject, [
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = codeSigning',
      `subjectAltName = ${subjectAltName}`,
      ...extra,
    ])
  }

  /**
   * A leaf as Fulcio issues it: no subject, a critical email SAN, code signing,
   * and the OIDC issuer in Fulcio's extensions (the one containers/image reads
   * is the raw-string 1.3.6.1.4.1.57264.1.1).
   */
  fulcioLeaf(name: string, issuer: Cert, email: string, oidcIssuer: string): Promise<Cert> {
    const raw = [...Buffer.from(oidcIssuer, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(':')
    return this.codeSigningLeaf(name, issuer, '/', `critical,email:${email}`, [
      `${OID_FULCIO_ISSUER} = DER:${raw}`,
      `${OID_FULCIO_ISSUER_V2} = ASN1:UTF8String:${oidcIssuer}`,
    ])
  }
}
