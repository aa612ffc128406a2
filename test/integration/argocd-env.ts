// What Argo CD gives a config-management plugin's commands, beyond the
// sidecar's own env (docs: shared/docs/krm-and-argocd.md §3; argo-cd
// docs/operator-manual/config-management-plugins.md): the build variables,
// ARGOCD_ENV_<NAME> for the Application's plugin env entries (with the build
// variables substituted), and PARAM_* plus ARGOCD_APP_PARAMETERS for its
// plugin parameters. Shared by the emulated plugin runs (argocd-cmp.test.ts)
// and the emulated cmp-server in the sidecar image (argocd-cmp-server.ts).

export interface Command {
  readonly command: string[]
  readonly args?: string[]
}
export interface StaticParameter {
  readonly name: string
  readonly collectionType?: 'string' | 'array' | 'map'
  readonly string?: string
  readonly array?: string[]
}
export interface PluginYaml {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string }
  readonly spec: {
    readonly version?: string
    readonly init?: Command
    readonly generate: Command
    // Find embeds Command: find.command / find.args (cmpserver/plugin/config.go).
    readonly discover?: { readonly fileName?: string; readonly find?: Partial<Command> & { readonly glob?: string } }
    readonly parameters?: { readonly static?: StaticParameter[] }
    readonly preserveFileMode?: boolean
  }
}
export interface AppParameter {
  readonly name: string
  readonly string?: string
  readonly array?: string[]
  readonly map?: Record<string, string>
}
export interface Application {
  readonly metadata: { readonly name: string; readonly namespace: string }
  readonly spec: {
    readonly project: string
    readonly source: {
      readonly repoURL: string
      readonly targetRevision: string
      readonly path: string
      readonly plugin: { readonly name: string; readonly parameters?: AppParameter[]; readonly env?: { name: string; value: string }[] }
    }
  }
}

/** Argo CD's parameter name escaping: upper-case, anything but [A-Z0-9_] becomes `_` (ApplicationSourcePluginParameters.Environ). */
export function argoEscape(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')
}

/** The env entries Argo CD derives from an Application's plugin parameters. */
export function argoParameterEnv(parameters: readonly AppParameter[]): Record<string, string> {
  const env: Record<string, string> = { ARGOCD_APP_PARAMETERS: JSON.stringify(parameters) }
  for (const p of parameters) {
    const base = `PARAM_${argoEscape(p.name)}`
    if (p.string !== undefined) env[base] = p.string
    for (const [k, v] of Object.entries(p.map ?? {})) env[`${base}_${argoEscape(k)}`] = v
    p.array?.forEach((v, i) => (env[`${base}_${i}`] = v))
  }
  return env
}

/** The env of a plugin command: the sidecar's own, the build variables, ARGOCD_ENV_*, then the parameters. */
export function commandEnv(sidecar: Record<string, string>, app: Application): Record<string, string> {
  const build: Record<string, string> = {
    ARGOCD_APP_NAME: app.metadata.name,
    ARGOCD_APP_NAMESPACE: app.metadata.namespace,
    ARGOCD_APP_PROJECT_NAME: app.spec.project,
    ARGOCD_APP_REVISION: '3f8c2ab9d7e14f0c9b6a5d4e3c2b1a0f9e8d7c6b',
    ARGOCD_APP_REVISION_SHORT: '3f8c2ab',
    ARGOCD_APP_REVISION_SHORT_8: '3f8c2ab9',
    ARGOCD_APP_SOURCE_REPO_URL: app.spec.source.repoURL,
    ARGOCD_APP_SOURCE_PATH: app.spec.source.path,
    ARGOCD_APP_SOURCE_TARGET_REVISION: app.spec.source.targetRevision,
    KUBE_VERSION: '1.30.4',
    KUBE_API_VERSIONS: 'v1,apps/v1,config.openshift.io/v1,machineconfiguration.openshift.io/v1',
  }
  // env values are substituted with the build variables ($VAR and ${VAR}).
  const substitute = (v: string) => v.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a?: string, b?: string) => build[(a ?? b)!] ?? m)
  const appEnv = Object.fromEntries((app.spec.source.plugin.env ?? []).map((e) => [`ARGOCD_ENV_${e.name}`, substitute(e.value)]))
  return { ...sidecar, ...build, ...appEnv, ...argoParameterEnv(app.spec.source.plugin.parameters ?? []) }
}
