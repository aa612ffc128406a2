// Import, joined: input texts → node policy files → ClusterImagePolicy,
// ImagePolicy and Image config manifests, proven by rendering them back with
// our own pipeline (run(), in process) and comparing the policies scope by
// scope with the files read. Any difference no finding explains becomes a
// finding: the import never claims a policy it does not reproduce. Pure; no I/O.

import { parse as parseYaml, parseDocument } from 'yaml'
import { isObject } from '../is-object.ts'
import { emitYaml } from '../io/emit-yaml.ts'
import type { NodeFile } from '../model.ts'
import { CRIO_POLICIES_DIR, POLICY_JSON_PATH } from '../render/policy-json.ts'
import { SIGSTORE_REGISTRIES_PATH } from '../render/sigstore-registries-yaml.ts'
import { run } from '../run.ts'
import { compareBytewise } from '../upstream/go-json.ts'
import { formatIssue, type Issue } from '../issues.ts'
import { importIssue, importNote, isGeneral, sortImportIssues, type ImportIssue } from './import-issue.ts'
import { importPolicies, TEMPLATE_POLICY, type ImportResult, type PolicySource } from './invert.ts'
import { duplicateMapKey, nodePolicyFiles, type SourceText } from './node-sources.ts'
import { describeRequirements, parsePolicyText, policyDifferences, type ParsedPolicy } from './policy-file.ts'
import { policySpec } from './requirement-to-policy.ts'

export const DEFAULT_NAME_PREFIX = 'imported'

export interface ImportRequest {
  readonly texts: readonly SourceText[]
  /** The namespace of policy JSON files not named policy.json (`--namespace`). */
  readonly namespace?: string
  readonly namePrefix?: string
  /** The release image MCO never blocks (`--release-image`); the round trip renders with it. */
  readonly releaseImage: string
  /** The cluster's release (`--target-release`): which CRD rules the printed resources must pass. Default latest. */
  readonly targetRelease?: string
  /** CRD rules on the printed resources (`--validate`): strict makes a violation a finding, warn a note. Default strict. */
  readonly validate?: 'strict' | 'warn' | 'ignore'
}

export interface ImportOutcome {
  /** The manifests, YAML documents separated by `---` ('' when there are none). */
  readonly yaml: string
  readonly result?: ImportResult
  /** What the APIs cannot express, sorted; provisionally errors (exit 1), the command grades them by --partial (gradeImportIssues). */
  readonly findings: readonly ImportIssue[]
  /** Inputs that could not be read at all (exit 1, nothing printed, --partial or not). */
  readonly problems: readonly string[]
  /** Notes (severity info), in the order found. */
  readonly notes: readonly Issue[]
  /** The node files the printed manifests render to (the round trip's second half). */
  readonly rendered: readonly NodeFile[]
}

const API_VERSION = 'config.openshift.io/v1'
/** How findings about the printed resources name them. */
export const IMPORTED = '<imported resources>'

/** The manifests of an import: the Image config first, then ClusterImagePolicies by name, then ImagePolicies by namespace and name. */
export function importManifests(result: ImportResult): string {
  const docs: string[] = []
  if (result.allowedRegistries !== undefined || result.blockedRegistries !== undefined) {
    const registrySources: Record<string, string[]> = {}
    if (result.allowedRegistries !== undefined) registrySources['allowedRegistries'] = [...result.allowedRegistries]
    if (result.blockedRegistries !== undefined) registrySources['blockedRegistries'] = [...result.blockedRegistries]
    docs.push(emitYaml({ apiVersion: API_VERSION, kind: 'Image', metadata: { name: 'cluster' }, spec: { registrySources } }))
  }
  const sorted = [...result.policies].sort(
    (a, b) => (a.kind === b.kind ? 0 : a.kind === 'ClusterImagePolicy' ? -1 : 1) || compareBytewise(a.namespace ?? '', b.namespace ?? '') || compareBytewise(a.name, b.name),
  )
  for (const p of sorted) {
    docs.push(
      emitYaml({
        apiVersion: API_VERSION,
        kind: p.kind,
        metadata: { name: p.name, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}) },
        spec: { scopes: [...p.scopes], policy: policySpec(p.policy) as never },
      }),
    )
  }
  return docs.join('---\n')
}

function registriesDFindings(files: readonly { origin: string; text: string }[], scopes: ReadonlySet<string>, findings: ImportIssue[], notes: Issue[]): void {
  const listed = new Set<string>()
  // containers/image (docker/registries_d.go loadAndMergeConfig) refuses a scope, or default-docker, in two files.
  const definedIn = new Map<string, string>()
  const once = (origin: string, key: string, what: string): void => {
    const earlier = definedIn.get(key)
    if (earlier !== undefined && earlier !== origin) findings.push(importIssue(origin, `${what} is also defined in ${earlier}: containers/image refuses the same entry in two registries.d files`))
    else definedIn.set(key, origin)
  }
  for (const { origin, text } of files) {
    let value: unknown
    try {
      const doc = parseDocument(text, { version: '1.1', uniqueKeys: false })
      if (doc.errors.length > 0) throw doc.errors[0]!
      const dup = duplicateMapKey(doc)
      if (dup !== undefined) throw new Error(`the key ${JSON.stringify(dup)} appears twice in one mapping (containers/image refuses it)`)
      value = doc.toJS({ maxAliasCount: 100 })
    } catch (e) {
      findings.push(importIssue(origin, `not readable: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`))
      continue
    }
    if (!isObject(value)) continue
    for (const key of Object.keys(value)) {
      if (key !== 'docker' && key !== 'default-docker') findings.push(importIssue(origin, `${key}: no CR equivalent (MCO writes only docker entries with use-sigstore-attachments)`))
    }
    const def = value['default-docker']
    if (def !== undefined && def !== null) once(origin, 'default-docker', 'default-docker')
    if (isObject(def)) {
      for (const [field, v] of Object.entries(def)) {
        if (field === 'use-sigstore-attachments' && v === false) continue
        findings.push(importIssue(origin, `${field}: MCO writes no default-docker entry`, { transport: 'registries.d', scope: 'default-docker' }))
      }
    }
    const docker = value['docker']
    if (!isObject(docker)) continue
    for (const [scope, entry] of Object.entries(docker)) {
      once(origin, `docker ${scope}`, `docker scope ${JSON.stringify(scope)}`)
      const fields = isObject(entry) ? entry : {}
      const where = { transport: 'registries.d', scope }
      for (const [field, v] of Object.entries(fields)) {
        if (field === 'use-sigstore-attachments') {
          if (v === true && !scopes.has(scope)) findings.push(importIssue(origin, 'use-sigstore-attachments: rendering writes it for the policy scopes (and blocked registries inside them) only, and this is none', where))
          if (v !== true && scopes.has(scope)) findings.push(importIssue(origin, 'use-sigstore-attachments is off here, and rendering turns it on (MCO writes it for every policy scope)', where))
          if (v === true) listed.add(scope)
        } else {
          findings.push(importIssue(origin, `${field}: no CR equivalent (MCO writes use-sigstore-attachments only; signatures are read from the registry)`, where))
        }
      }
    }
  }
  if (files.length > 0) {
    const added = [...scopes].filter((s) => !listed.has(s)).sort(compareBytewise)
    if (added.length > 0) notes.push(importNote(`registries.d: rendering also turns on use-sigstore-attachments for ${added.map((s) => JSON.stringify(s)).join(', ')} (MCO writes it for every policy scope)`))
  }
}

/** Whether a finding already explains a difference at `scope` (undefined: the default) of `origin`. */
function explained(findings: readonly ImportIssue[], origins: readonly string[], scope: string | undefined): boolean {
  return findings.some((f) => origins.includes(f.file.path) && !isGeneral(f) && f.scope === scope && f.transport !== 'registries.d')
}

function roundTripFindings(want: PolicySource, got: ParsedPolicy, findings: readonly ImportIssue[], additions: readonly ImportIssue[], clusterOrigin: string, renderedPath: string): ImportIssue[] {
  const out: ImportIssue[] = []
  for (const d of policyDifferences(want.policy, got)) {
    if (explained(findings, [want.origin, clusterOrigin], d.scope)) continue
    if (additions.some((a) => a.file.path === want.origin && a.transport === d.transport && a.scope === d.scope && d.want === undefined)) continue
    out.push(
      importIssue(
        want.origin,
        `the round trip differs: the file has ${describeRequirements(d.want)}, the imported resources render ${describeRequirements(d.got)} in ${renderedPath}`,
        d.scope === undefined ? 'default' : { ...(d.transport !== undefined ? { transport: d.transport } : {}), scope: d.scope },
      ),
    )
  }
  return out
}

export function importFromTexts(request: ImportRequest): ImportOutcome {
  const sources = nodePolicyFiles(request.texts, request.namespace)
  const problems = [...sources.problems]
  const notes = [...sources.notes]
  let cluster: PolicySource | undefined
  const namespaces = new Map<string, PolicySource>()
  const registriesD: { origin: string; text: string }[] = []
  for (const f of sources.files) {
    if (f.kind === 'registries.d') {
      registriesD.push(f)
      continue
    }
    const parsed = parsePolicyText(f.text)
    if ('error' in parsed) {
      problems.push(`${f.origin}: not a policy containers/image reads: ${parsed.error}`)
      continue
    }
    if (f.kind === 'cluster') cluster = { origin: f.origin, policy: parsed.value }
    else namespaces.set(f.namespace, { origin: f.origin, policy: parsed.value })
  }
  if (problems.length === 0 && cluster === undefined && namespaces.size === 0) {
    problems.push(registriesD.length > 0 ? 'no policy file in the input (registries.d files alone say nothing to import)' : 'no policy file in the input: give policy.json, /etc/crio/policies/NS.json, or MachineConfigs or Butane configs that carry them')
  }
  if (problems.length > 0) return { yaml: '', findings: [], problems, notes, rendered: [] }

  const result = importPolicies({ ...(cluster !== undefined ? { cluster } : {}), namespaces, namePrefix: request.namePrefix ?? DEFAULT_NAME_PREFIX })
  const findings = [...result.findings]
  notes.push(...result.notes)
  const yaml = importManifests(result)

  // The proof: render what we print, with our own pipeline, and compare. Strict
  // first (what the API server and MCO would refuse is a finding, advice a
  // note); when that refuses, again without the CRD rules, for the comparison.
  const render = (validate: 'strict' | 'ignore') =>
    run({
      inputs: [{ path: IMPORTED, text: yaml }],
      flags: { validate, targetRelease: request.targetRelease ?? 'latest', releaseImage: request.releaseImage, allowEmpty: true, pools: ['worker'] },
      reviewOnly: true,
    })
  const validate = request.validate ?? 'strict'
  const strict = render(validate === 'ignore' ? 'ignore' : 'strict')
  for (const i of strict.issues) {
    if (i.severity === 'error' && validate === 'warn' && ['content', 'schema', 'cel'].includes(i.code)) notes.push(importNote(formatIssue(i), IMPORTED))
    else if (i.severity === 'error') findings.push(importIssue(IMPORTED, `the API server or MCO would refuse it: ${formatIssue(i)}`))
    else if (i.severity === 'warning' && ['content', 'schema', 'cel', 'registries', 'scope-conflict'].includes(i.code)) notes.push(importNote(formatIssue(i), IMPORTED))
  }
  const rendered = strict.exitCode === 0 ? strict : render('ignore')
  if (result.allowedRegistries !== undefined || result.blockedRegistries !== undefined) {
    notes.push(importNote('the Image config printed holds spec.registrySources only: merge it into the cluster\'s Image cluster (oc edit image.config.openshift.io/cluster), which holds other settings too'))
  }
  if (rendered.exitCode === 0) {
    const byPath = new Map(rendered.files.map((f) => [f.path, f.contents]))
    // The keys rendering writes: the policy scopes, plus (with blockedRegistries) registries.conf entries inside them.
    const sigstore = byPath.get(SIGSTORE_REGISTRIES_PATH)
    const docker = sigstore === undefined ? undefined : (parseYaml(sigstore, { uniqueKeys: false }) as { docker?: Record<string, unknown> } | null)?.docker
    registriesDFindings(registriesD, new Set(Object.keys(docker ?? {})), findings, notes)
    const renderedPolicy = (path: string): ParsedPolicy => {
      const text = byPath.get(path)
      if (text === undefined) return TEMPLATE_POLICY
      const parsed = parsePolicyText(text)
      if ('error' in parsed) throw new Error(`rendered ${path} does not parse: ${parsed.error}`)
      return parsed.value
    }
    const clusterSource: PolicySource = cluster ?? { origin: 'policy.json (MCO base, assumed)', policy: TEMPLATE_POLICY }
    const clusterRendered = renderedPolicy(POLICY_JSON_PATH)
    findings.push(...roundTripFindings(clusterSource, clusterRendered, findings, result.additions, clusterSource.origin, POLICY_JSON_PATH))
    for (const [namespace, source] of namespaces) {
      const path = `${CRIO_POLICIES_DIR}/${namespace}.json`
      // A namespace without a file of its own reads policy.json (CRI-O's fallback).
      const got = byPath.has(path) ? renderedPolicy(path) : clusterRendered
      findings.push(...roundTripFindings(source, got, findings, result.additions, clusterSource.origin, byPath.has(path) ? path : `${POLICY_JSON_PATH} (no ${path} is written)`))
    }
    for (const f of rendered.files) {
      if (!f.path.startsWith(`${CRIO_POLICIES_DIR}/`)) continue
      const namespace = f.path.slice(CRIO_POLICIES_DIR.length + 1, -'.json'.length)
      if (!namespaces.has(namespace)) findings.push(importIssue(IMPORTED, `the round trip writes ${f.path}, which the input has no file for`))
    }
  } else if (!findings.some((f) => f.file.path === IMPORTED)) {
    findings.push(importIssue(IMPORTED, 'rendering the imported resources failed'))
  }
  // Atomic copies rendering adds, one note per file; none for a scope a finding already drops.
  const added = new Map<string, string[]>()
  for (const a of result.additions) {
    if (explained(findings, [a.file.path], a.scope)) continue
    added.set(a.file.path, [...(added.get(a.file.path) ?? []), JSON.stringify(a.scope)])
  }
  for (const [origin, scopes] of added) {
    notes.push(importNote(`no atomic entry for ${scopes.join(', ')}: rendering writes the docker requirements there too (MCO copies every docker scope with fewer than 3 "/" into atomic), which only adds checks`, origin))
  }
  return { yaml, result, findings: sortImportIssues(findings), problems: [], notes, rendered: rendered.files }
}
