// What the startup snapshot runs before it is taken (scripts/build.mjs, src/snapshot.ts).
// A V8 startup snapshot keeps the heap and the bytecode of every function that
// ran, so running the function path once on real input here means a started
// process neither parses nor compiles it again, and finds the lazily loaded
// modules it uses (node:crypto) already loaded. The `yaml` package is not among
// them: the ResourceLists here are read by their layout (resource-list-layout.ts),
// so only a ResourceList that must be parsed whole loads it, at run time.
// Pure: it runs main() on in-memory streams.

import type { Streams } from './cli/context.ts'
import { main } from './cli/main.ts'
import { splitDocuments } from './io/read.ts'

/**
 * The same resources as one KRM ResourceList (what kpt and kustomize functions
 * send), items in block style with their `-` at `column`.
 */
export function asResourceList(stream: string, column = 0): string {
  const pad = ' '.repeat(column)
  const items = splitDocuments(stream)
    .map((doc) => doc.replace(/^(?:[ \t]*(?:#.*)?\r?\n|---[^\n]*\n)+/, '').trimEnd())
    .filter((doc) => doc !== '')
    .map((doc) => doc.split('\n').map((line, i) => `${pad}${i === 0 ? '- ' : '  '}${line}`).join('\n'))
  return `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items.join('\n')}\n`
}

/**
 * Resources we do not own, as a typical repository has them beside the policies:
 * the warm-up reads them too, so that the header scan is compiled in.
 */
const OTHER_RESOURCES = `---
apiVersion: v1
kind: Namespace
metadata:
  name: warm-up
  labels:
    team: warm-up
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: warm-up
  namespace: warm-up
  labels: {app: warm-up}
  annotations:
    description: "a deployment"
spec:
  replicas: 2
  selector:
    matchLabels: {app: warm-up}
  template:
    metadata:
      labels: {app: warm-up}
    spec:
      containers:
      - name: app
        image: quay.io/example/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
        args: ["--port", "8080"]
        resources:
          limits: {cpu: 500m, memory: 128Mi}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: warm-up
  namespace: warm-up
data:
  config.yaml: |
    key: value
`

/** The examples target a 4.19 cluster, whose release ships no ClusterImagePolicy of its own (their READMEs say why). */
const WARM_UP_ARGS = ['--target-release', '4.19']

function memoryStreams(input: string): Streams {
  return { readStdin: async () => input, stdout: { write: () => true }, stderr: { write: () => true } }
}

/**
 * Runs the function on each plain stream given, as a stream and as a
 * ResourceList, and once more with an invalid item, so that the error path is
 * compiled too. Returns the exit codes (the build checks the happy runs succeed).
 */
export async function warmUp(streams: readonly string[]): Promise<number[]> {
  const codes: number[] = []
  for (const policies of streams) {
    const text = `${policies.replace(/\n*$/, '\n')}${OTHER_RESOURCES}`
    codes.push(await main(WARM_UP_ARGS, memoryStreams(text)))
    codes.push(await main(WARM_UP_ARGS, memoryStreams(asResourceList(text))))
  }
  const invalid = 'apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata:\n  name: warm-up\nspec:\n  scopes: ["Not A Scope"]\n'
  await main([], memoryStreams(invalid))
  return codes
}
