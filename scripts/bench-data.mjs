// Generates benchmark streams: valid ImagePolicies and ClusterImagePolicies with
// real keys, plus other resources. Policies in a namespace share five scopes (as
// teams do), so 10,000 policies give 5,000 scopes and a sigstore-registries.yaml
// that fits a MachineConfig. Deterministic for a given shape, except the keys.
import { generateKeyPairSync } from 'node:crypto'

const keys = Array.from({ length: 8 }, () =>
  Buffer.from(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' })).toString('base64'),
)

function cip(i) {
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

function ip(i, namespace) {
  return `apiVersion: config.openshift.io/v1
kind: ImagePolicy
metadata:
  name: policy-${i}
  namespace: ${namespace}
spec:
  scopes:
  - registry.example.com/${namespace}/app-${i % 5}
  policy:
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

/** A stream of `ips` ImagePolicies over `namespaces` namespaces, `cips` ClusterImagePolicies and `others` Deployments. */
export function stream({ ips, namespaces, cips, others }) {
  const docs = []
  for (let n = 0; n < namespaces; n++) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-${n}\n`)
  for (let i = 0; i < cips; i++) docs.push(cip(i))
  for (let i = 0; i < ips; i++) docs.push(ip(i, `ns-${i % namespaces}`))
  for (let i = 0; i < others; i++) docs.push(other(i))
  return docs.map((d) => `---\n${d}`).join('')
}
