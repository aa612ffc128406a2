// deploy/argocd (the kustomize Component users add to their Argo CD install),
// rendered with the real `kubectl kustomize` against the repo-server
// Deployment of Argo CD's published install manifest (fixture:
// test/fixtures/argocd-install/), and checked against what Argo CD's
// config-management plugin docs require of a sidecar
// (docs/operator-manual/config-management-plugins.md, "Register the plugin
// sidecar" and its "Double-check these items"). Needs kubectl.

import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { copyTree, parseStream, requireTool, runProgram, tempDir } from './helpers.ts'

const FIXTURE = 'test/fixtures/argocd-install/argocd-repo-server-deployment.yaml'

interface Mount {
  readonly name: string
  readonly mountPath: string
  readonly subPath?: string
}
interface Container {
  readonly name: string
  readonly image: string
  readonly command?: string[]
  readonly securityContext?: Record<string, unknown>
  readonly volumeMounts?: Mount[]
}
interface Volume {
  readonly name: string
  readonly emptyDir?: object
  readonly configMap?: { readonly name: string }
}
interface PodSpec {
  readonly containers: Container[]
  readonly initContainers: Container[]
  readonly volumes: Volume[]
}

/** A user's kustomization: Argo CD's install (the fixture), our component, their image. */
function render(t: TestContext, extra = ''): { objects: Record<string, unknown>[]; pod: PodSpec } | undefined {
  const kubectl = requireTool(t, 'kubectl')
  if (kubectl === undefined) return undefined
  const dir = join(tempDir(t), 'argocd')
  mkdirSync(dir)
  copyFileSync(FIXTURE, join(dir, 'install.yaml'))
  // The component as a user vendors it (kustomize refuses absolute component paths).
  copyTree('deploy/argocd', join(dir, 'imagepolicy-mc'))
  writeFileSync(join(dir, 'kustomization.yaml'), [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: argocd',
    'resources:',
    '- install.yaml',
    'components:',
    '- imagepolicy-mc',
    'images:',
    '- name: imagepolicy-mc-argocd-cmp',
    '  newName: registry.example.com/platform/imagepolicy-mc-argocd-cmp',
    '  newTag: 0.1.0',
    extra,
  ].join('\n'))
  const out = runProgram(kubectl, ['kustomize', dir])
  assert.equal(out.code, 0, out.stderr)
  const objects = parseStream(out.stdout)
  const deployment = objects.find((o) => o['kind'] === 'Deployment')!
  return { objects, pod: ((deployment['spec'] as Record<string, unknown>)['template'] as { spec: PodSpec }).spec }
}

test('deploy/argocd/plugin.yaml is the repository plugin.yaml', () => {
  assert.equal(readFileSync('deploy/argocd/plugin.yaml', 'utf8'), readFileSync('plugin.yaml', 'utf8'))
})

test('kubectl kustomize adds the sidecar to argocd-repo-server as Argo CD documents it', (t) => {
  const r = render(t)
  if (r === undefined) return
  const { pod } = r
  // (a strategic-merge patch puts new list entries first; order means nothing to Kubernetes)
  assert.deepEqual(pod.containers.map((c) => c.name).sort(), ['argocd-repo-server', 'imagepolicy-mc'])
  const sidecar = pod.containers.find((c) => c.name === 'imagepolicy-mc')!
  // 1. argocd-cmp-server as the entrypoint.
  assert.deepEqual(sidecar.command, ['/var/run/argocd/argocd-cmp-server'])
  // 2. uid 999.
  assert.equal(sidecar.securityContext?.['runAsUser'], 999)
  assert.equal(sidecar.securityContext?.['runAsNonRoot'], true)
  assert.equal(sidecar.securityContext?.['readOnlyRootFilesystem'], true)
  assert.equal(sidecar.securityContext?.['allowPrivilegeEscalation'], false)
  assert.equal(sidecar.image, 'registry.example.com/platform/imagepolicy-mc-argocd-cmp:0.1.0')
  const mounts = new Map((sidecar.volumeMounts ?? []).map((m) => [m.mountPath, m]))
  const volumes = new Map(pod.volumes.map((v) => [v.name, v]))
  // The volumes it shares with the repo-server are the install's own.
  assert.equal(mounts.get('/var/run/argocd')?.name, 'var-files')
  assert.equal(mounts.get('/home/argocd/cmp-server/plugins')?.name, 'plugins')
  const copyutil = pod.initContainers.find((c) => c.name === 'copyutil')!
  assert.ok(copyutil.volumeMounts!.some((m) => m.name === 'var-files' && m.mountPath === '/var/run/argocd'), 'copyutil fills var-files with argocd-cmp-server')
  const repoServer = pod.containers.find((c) => c.name === 'argocd-repo-server')!
  assert.ok(repoServer.volumeMounts!.some((m) => m.name === 'plugins' && m.mountPath === '/home/argocd/cmp-server/plugins'), 'the repo-server dials the sockets in plugins')
  // 3. plugin.yaml at /home/argocd/cmp-server/config/plugin.yaml (a ConfigMap key, over the image's copy).
  const config = mounts.get('/home/argocd/cmp-server/config/plugin.yaml')!
  assert.equal(config.subPath, 'plugin.yaml')
  const configMapName = volumes.get(config.name)?.configMap?.name
  assert.match(configMapName ?? '', /^imagepolicy-mc-plugin-[a-z0-9]+$/, 'the generated ConfigMap, hash suffix and all')
  const configMap = r.objects.find((o) => o['kind'] === 'ConfigMap' && (o['metadata'] as { name: string }).name === configMapName)!
  assert.equal((configMap['metadata'] as { namespace: string }).namespace, 'argocd')
  assert.equal((configMap['data'] as Record<string, string>)['plugin.yaml'], readFileSync('plugin.yaml', 'utf8'))
  // Its own /tmp: an emptyDir that is not the repo-server's.
  const tmp = mounts.get('/tmp')!
  assert.ok(volumes.get(tmp.name)?.emptyDir !== undefined)
  assert.notEqual(tmp.name, repoServer.volumeMounts!.find((m) => m.mountPath === '/tmp')!.name)
  // Every mount names a volume; nothing of the install was lost.
  for (const m of sidecar.volumeMounts!) assert.ok(volumes.has(m.name), m.name)
  const install = parseStream(readFileSync(FIXTURE, 'utf8'))[0]!
  const installPod = ((install['spec'] as Record<string, unknown>)['template'] as { spec: PodSpec }).spec
  assert.deepEqual(repoServer, installPod.containers[0])
  assert.deepEqual(pod.initContainers, installPod.initContainers)
  for (const v of installPod.volumes) assert.deepEqual(volumes.get(v.name), v, v.name)
  assert.deepEqual(pod.volumes.map((v) => v.name).filter((n) => !installPod.volumes.some((v) => v.name === n)).sort(), ['imagepolicy-mc-plugin', 'imagepolicy-mc-tmp'])
})

test('the sidecar patch applies to nothing but argocd-repo-server', (t) => {
  const r = render(t)
  if (r === undefined) return
  assert.deepEqual(r.objects.map((o) => `${String(o['kind'])} ${(o['metadata'] as { name: string }).name.replace(/-[a-z0-9]{10}$/, '-<hash>')}`).sort(), [
    'ConfigMap imagepolicy-mc-plugin-<hash>',
    'Deployment argocd-repo-server',
  ])
})
