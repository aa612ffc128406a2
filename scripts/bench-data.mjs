// Generates benchmark streams: valid ImagePolicies and ClusterImagePolicies with
// real keys, plus other resources. By default policies in a namespace share five
// scopes (as teams do), so 10,000 policies give 5,000 scopes; with `distinct`,
// each ImagePolicy has that many scopes of its own (10,000 policies × 2 give
// 20,000 namespace scopes and a 1.5 MB sigstore-registries.yaml, issue 14's case).
// Deterministic for a given shape, except the keys (fresh ones at each import,
// unless `keys` is given: test/scale-equivalence.test.ts pins the output bytes).
import { generateKeyPairSync } from 'node:crypto'

const KEYS = Array.from({ length: 8 }, () =>
  Buffer.from(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' })).toString('base64'),
)

function cip(i, keys) {
  return `apiVersion: config.openshift.io/v1
kind: ClusterImagePolicy
metadata:
  name: cluster-${i}
spec:
  scopes:
  - registry-${i}.cluster.example.com
  - quay.io/org-${i}/platform
  policy:
    rootOfTrust:
      policyType: PublicKey
      publicKey:
        keyData: ${keys[i % keys.length]}
`
}

function ip(i, namespace, distinct, keys) {
  const scopes = distinct === 0 ? [`registry.example.com/${namespace}/app-${i % 5}`] : Array.from({ length: distinct }, (_, j) => `registry.example.com/${namespace}/app-${i}${j === 0 ? '' : `-${j}`}`)
  return `apiVersion: config.openshift.io/v1
kind: ImagePolicy
metadata:
  name: policy-${i}
  namespace: ${namespace}
spec:
  scopes:
${scopes.map((s) => `  - ${s}\n`).join('')}  policy:
    rootOfTrust:
      policyType: PublicKey
      publicKey:
        keyData: ${keys[(i + 3) % keys.length]}
    signedIdentity:
      matchPolicy: MatchRepository
`
}

function other(i) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ns-${i % 10}
  labels:
    app: app-${i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      containers:
      - name: app
        image: registry.example.com/ns-${i % 10}/app-${i}@sha256:${'a'.repeat(64)}
        ports:
        - containerPort: 8080
      volumes:
      - name: config
        configMap:
          name: app-${i}
          defaultMode: 0644
`
}

/**
 * A stream of `ips` ImagePolicies over `namespaces` namespaces, `cips`
 * ClusterImagePolicies (two scopes each) and `others` Deployments; `distinct`:
 * scopes of its own per ImagePolicy (0: the namespace's five shared scopes);
 * `keys`: the public keys (base64 of the PEM) to use in turn.
 */
export function stream({ ips, namespaces, cips, others, distinct = 0, keys = KEYS }) {
  const docs = []
  for (let n = 0; n < namespaces; n++) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-${n}\n`)
  for (let i = 0; i < cips; i++) docs.push(cip(i, keys))
  for (let i = 0; i < ips; i++) docs.push(ip(i, `ns-${i % namespaces}`, distinct, keys))
  for (let i = 0; i < others; i++) docs.push(other(i))
  return docs.map((d) => `---\n${d}`).join('')
}
